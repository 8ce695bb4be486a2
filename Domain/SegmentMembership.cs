using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// One stay of a customer in a segment: current while <see cref="LeftOnUtc"/> is null
/// </summary>
public class SegmentMembership : BaseEntity
{
    public int SegmentId { get; set; }

    public int CustomerId { get; set; }

    public DateTime EnteredOnUtc { get; set; }

    public DateTime? LeftOnUtc { get; set; }
}
