using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Web.Framework.Models;
using Nop.Web.Framework.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// The configuration of a "customer is in segment(s)" discount requirement
/// </summary>
public record SegmentRequirementModel : BaseNopModel
{
    public int DiscountId { get; set; }

    public int RequirementId { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.DiscountRequirement.IncludeSegmentIds")]
    public IList<int> IncludeSegmentIds { get; set; } = [];

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.DiscountRequirement.RequireAll")]
    public bool RequireAll { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.DiscountRequirement.ExcludeSegmentIds")]
    public IList<int> ExcludeSegmentIds { get; set; } = [];

    public IList<SelectListItem> AvailableSegments { get; set; } = [];

    /// <summary>
    /// Segments the saved configuration names that no longer exist or are switched off
    /// </summary>
    public IList<string> Warnings { get; set; } = [];
}
