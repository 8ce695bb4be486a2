namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Brings a segment's current members in line with a set of customers computed in memory, writing only the
/// differences (what a full rebuild does once it knows who the members are)
/// </summary>
public interface ISegmentMembershipSynchronizer
{
    /// <summary>
    /// Reads the customer ids a query returns into a set
    /// </summary>
    /// <param name="customerIds">The query</param>
    /// <param name="within">When given, only ids in this set are kept</param>
    Task<CustomerIdSet> ReadCustomerIdsAsync(IQueryable<int> customerIds, CustomerIdSet within = null);

    /// <summary>
    /// Makes the customers the segment's current members: the stays of other current members are closed (their rows
    /// kept as history), customers without a current stay get a new one, the rows of members who stay are untouched.
    /// Run it within the segment's transaction (<see cref="ISegmentMembershipTransaction"/>): it reads the current
    /// members, then writes.
    /// </summary>
    /// <param name="segmentId">The segment</param>
    /// <param name="members">All customers who should be members</param>
    /// <param name="nowUtc">The moment stays are opened and closed</param>
    /// <param name="keepAsync">
    /// When given, told the current members about to leave; those it returns stay members (e.g. customers whose
    /// eligibility changed after <paramref name="members"/> was computed)
    /// </param>
    /// <param name="refuseAsync">
    /// When given, told the customers about to join; those it returns do not (e.g. customers who lost their eligibility
    /// after <paramref name="members"/> was computed)
    /// </param>
    /// <returns>How many stays were opened and closed</returns>
    Task<(int Entered, int Left)> SynchronizeAsync(int segmentId, CustomerIdSet members, DateTime nowUtc,
        Func<CustomerIdSet, Task<CustomerIdSet>> keepAsync = null, Func<CustomerIdSet, Task<CustomerIdSet>> refuseAsync = null);
}
