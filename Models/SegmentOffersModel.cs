using Microsoft.AspNetCore.Html;
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// Messages about the discounts the current shopper's segments unlock, already HTML-encoded
/// </summary>
public record SegmentOffersModel : BaseNopModel
{
    public IList<IHtmlContent> Messages { get; set; } = [];
}
