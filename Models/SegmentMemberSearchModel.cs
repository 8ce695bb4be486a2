using Nop.Web.Framework.Models;
using Nop.Web.Framework.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// The filters of a segment's member list
/// </summary>
public record SegmentMemberSearchModel : BaseSearchModel
{
    public int SegmentId { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Members.SearchEmail")]
    public string SearchEmail { get; set; }
}
