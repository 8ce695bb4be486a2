using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// A member of a segment on the segment page; <see cref="BaseNopEntityModel.Id"/> is the customer id
/// </summary>
public record SegmentMemberModel : BaseNopEntityModel
{
    public string Email { get; set; }

    public string FullName { get; set; }

    public DateTime EnteredOn { get; set; }
}
