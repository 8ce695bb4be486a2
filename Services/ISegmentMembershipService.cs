using Nop.Core;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Who is in which segment, now and before: the service the rest of the plugin and other plugins read
/// </summary>
public interface ISegmentMembershipService
{
    /// <summary>
    /// Identifiers of the active segments the customer is a member of now
    /// </summary>
    Task<IList<int>> GetSegmentIdsOfCustomerAsync(int customerId);

    /// <summary>
    /// Whether the customer is a member of the segment now; false for an inactive segment, which
    /// <see cref="GetSegmentIdsOfCustomerAsync"/> leaves out too (its stays are kept for its history and member list)
    /// </summary>
    Task<bool> IsMemberAsync(int segmentId, int customerId);

    /// <summary>
    /// Current memberships of a segment, newest first
    /// </summary>
    Task<IPagedList<SegmentMembership>> GetMembersAsync(int segmentId, int pageIndex = 0, int pageSize = int.MaxValue);

    Task<int> CountMembersAsync(int segmentId);

    /// <summary>
    /// Member counts of every segment that has members now, by segment id
    /// </summary>
    Task<IDictionary<int, int>> CountMembersOfAllSegmentsAsync();

    /// <summary>
    /// Every stay, current and past, of a customer in any segment
    /// </summary>
    Task<IList<SegmentMembership>> GetHistoryOfCustomerAsync(int customerId);

    /// <summary>
    /// Every stay, current and past, of any customer in a segment
    /// </summary>
    Task<IList<SegmentMembership>> GetHistoryOfSegmentAsync(int segmentId);
}
