using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Nop.Core;
using Nop.Services.Localization;

namespace Nop.Web.Framework.TagHelpers.Admin;

[HtmlTargetElement("nop-label", Attributes = FOR_ATTRIBUTE_NAME, TagStructure = TagStructure.WithoutEndTag)]
public class NopLabelTagHelper : TagHelper
{
    protected const string FOR_ATTRIBUTE_NAME = "asp-for";
    protected const string DISPLAY_HINT_ATTRIBUTE_NAME = "asp-display-hint";

    protected readonly ILocalizationService _localizationService;
    protected readonly IWorkContext _workContext;

    public NopLabelTagHelper(IHtmlGenerator generator, ILocalizationService localizationService, IWorkContext workContext) => throw new NotImplementedException();

    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output) => throw new NotImplementedException();

    protected IHtmlGenerator Generator { get; set; }

    [HtmlAttributeName(FOR_ATTRIBUTE_NAME)]
    public ModelExpression For { get; set; }

    [HtmlAttributeName(DISPLAY_HINT_ATTRIBUTE_NAME)]
    public bool DisplayHint { get; set; }

    [HtmlAttributeNotBound]
    [ViewContext]
    public ViewContext ViewContext { get; set; }
}
