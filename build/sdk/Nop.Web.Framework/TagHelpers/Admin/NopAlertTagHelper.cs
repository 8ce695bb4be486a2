using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Nop.Web.Framework.TagHelpers.Admin;

[HtmlTargetElement("nop-alert", Attributes = ALERT_NAME_ID, TagStructure = TagStructure.WithoutEndTag)]
public class NopAlertTagHelper : TagHelper
{
    protected const string ALERT_NAME_ID = "asp-alert-id";
    protected const string ALERT_MESSAGE_NAME = "asp-alert-message";

    protected readonly IHtmlHelper _htmlHelper;

    public NopAlertTagHelper(IHtmlGenerator generator, IHtmlHelper htmlHelper) => throw new NotImplementedException();

    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output) => throw new NotImplementedException();

    protected IHtmlGenerator Generator { get; set; }

    [HtmlAttributeName(ALERT_NAME_ID)]
    public string AlertId { get; set; }

    [HtmlAttributeName(ALERT_MESSAGE_NAME)]
    public string Message { get; set; }

    [HtmlAttributeNotBound]
    [ViewContext]
    public ViewContext ViewContext { get; set; }
}
