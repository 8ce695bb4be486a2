using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Nop.Core.Domain.Common;

namespace Nop.Web.Framework.TagHelpers.Admin;

[HtmlTargetElement("nop-select", TagStructure = TagStructure.WithoutEndTag)]
public class NopSelectTagHelper : TagHelper
{
    protected const string FOR_ATTRIBUTE_NAME = "asp-for";
    protected const string NAME_ATTRIBUTE_NAME = "asp-for-name";
    protected const string ITEMS_ATTRIBUTE_NAME = "asp-items";
    protected const string MULTIPLE_ATTRIBUTE_NAME = "asp-multiple";
    protected const string REQUIRED_ATTRIBUTE_NAME = "asp-required";

    protected readonly AdminAreaSettings _adminAreaSettings;
    protected readonly IHtmlHelper _htmlHelper;

    public NopSelectTagHelper(AdminAreaSettings adminAreaSettings, IHtmlHelper htmlHelper) => throw new NotImplementedException();

    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output) => throw new NotImplementedException();

    [HtmlAttributeName(FOR_ATTRIBUTE_NAME)]
    public ModelExpression For { get; set; }

    [HtmlAttributeName(NAME_ATTRIBUTE_NAME)]
    public string Name { get; set; }

    [HtmlAttributeName(ITEMS_ATTRIBUTE_NAME)]
    public IEnumerable<SelectListItem> Items { get; set; }

    [HtmlAttributeName(REQUIRED_ATTRIBUTE_NAME)]
    public string IsRequired { get; set; }

    [HtmlAttributeName(MULTIPLE_ATTRIBUTE_NAME)]
    public string IsMultiple { get; set; }

    [HtmlAttributeNotBound]
    [ViewContext]
    public ViewContext ViewContext { get; set; }
}
