using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc.TagHelpers;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Nop.Web.Framework.TagHelpers.Admin;

[HtmlTargetElement("nop-textarea", Attributes = FOR_ATTRIBUTE_NAME)]
public class NopTextAreaTagHelper : TextAreaTagHelper
{
    protected const string FOR_ATTRIBUTE_NAME = "asp-for";
    protected const string REQUIRED_ATTRIBUTE_NAME = "asp-required";
    protected const string CUSTOM_HTML_ATTRIBUTES = "html-attributes";

    public NopTextAreaTagHelper(IHtmlGenerator generator) : base(generator) => throw new NotImplementedException();

    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output) => throw new NotImplementedException();

    [HtmlAttributeName(CUSTOM_HTML_ATTRIBUTES)]
    public object CustomHtmlAttributes { get; set; }

    [HtmlAttributeName(REQUIRED_ATTRIBUTE_NAME)]
    public string IsRequired { get; set; }
}
