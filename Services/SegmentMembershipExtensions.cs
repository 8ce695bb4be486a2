using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Membership queries: a stay is current while it has no LeftOnUtc
/// </summary>
public static class SegmentMembershipExtensions
{
    /// <summary>
    /// The current stays, in any segment
    /// </summary>
    public static IQueryable<SegmentMembership> Current(this IQueryable<SegmentMembership> memberships) =>
        memberships.Where(membership => membership.LeftOnUtc == null);

    /// <summary>
    /// The current stays in one segment: its members
    /// </summary>
    public static IQueryable<SegmentMembership> CurrentOf(this IQueryable<SegmentMembership> memberships, int segmentId) =>
        memberships.Where(membership => membership.SegmentId == segmentId).Current();
}
