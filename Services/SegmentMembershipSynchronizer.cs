using LinqToDB;
using LinqToDB.Data;
using Nop.Core.Domain.Customers;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Reads a segment's current members (the index on SegmentId, LeftOnUtc, CustomerId answers it alone), compares
/// them in memory with the customers who should be members, and writes only the differences: leavers closed by
/// UPDATEs over lists of ids, joiners inserted by a statement per list of ids that skips customers with an open
/// stay, or, when many join (a rebuild from empty), by linq2db's bulk copy (COPY on PostgreSQL; multi-row INSERTs
/// elsewhere). Leavers are written first: where the engine has no transaction (SQLite here), a failure in between
/// leaves a subset of the true members, as the set-based statements did.
/// </summary>
public class SegmentMembershipSynchronizer : ISegmentMembershipSynchronizer
{
    /// <summary>
    /// Customer ids per UPDATE or INSERT statement
    /// </summary>
    public const int WriteBatchSize = 2000;

    /// <summary>
    /// Above this many joiners (more than one statement's worth), the stays are bulk copied: the segment's
    /// transaction keeps other writers of the segment out, so no test for an open stay is needed where the engine
    /// has transactions
    /// </summary>
    public const int DefaultBulkCopyThreshold = WriteBatchSize;

    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;

    public SegmentMembershipSynchronizer(INopDataProvider dataProvider,
        IRepository<Customer> customerRepository,
        IRepository<SegmentMembership> membershipRepository)
    {
        _dataProvider = dataProvider;
        _customerRepository = customerRepository;
        _membershipRepository = membershipRepository;
    }

    #region Utilities

    protected virtual int BulkCopyThreshold => DefaultBulkCopyThreshold;

    protected virtual ITable<SegmentMembership> MembershipTable() =>
        (ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>();

    /// <returns>How many stays were closed</returns>
    protected virtual Task<int> CloseStaysAsync(int segmentId, int[] customerIds, DateTime nowUtc) =>
        _membershipRepository.Table.CurrentOf(segmentId)
            .Where(membership => customerIds.Contains(membership.CustomerId))
            .Set(membership => membership.LeftOnUtc, (DateTime?)nowUtc)
            .UpdateAsync();

    /// <summary>
    /// One INSERT ... SELECT for the customers that skips those with an open stay, so that where the engine has no
    /// transaction a writer running meanwhile cannot make a second one
    /// </summary>
    /// <returns>How many stays were opened</returns>
    protected virtual Task<int> OpenStaysAsync(int segmentId, int[] customerIds, DateTime nowUtc)
    {
        var current = _membershipRepository.Table.CurrentOf(segmentId);
        return _customerRepository.Table
            .Where(customer => customerIds.Contains(customer.Id) && !current.Any(membership => membership.CustomerId == customer.Id))
            .InsertAsync(MembershipTable(), customer => new SegmentMembership
            {
                SegmentId = segmentId,
                CustomerId = customer.Id,
                EnteredOnUtc = nowUtc
            });
    }

    /// <summary>
    /// How linq2db copies many rows into the table: PostgreSQL's binary COPY (linq2db's default there is multi-row
    /// INSERTs, about half as fast), the default elsewhere (MySQL's own bulk load needs a connection string option)
    /// </summary>
    protected virtual BulkCopyOptions BulkCopyOptionsFor(ITable<SegmentMembership> table) =>
        new() { BulkCopyType = table.DataContext.ContextName?.StartsWith(ProviderName.PostgreSQL, StringComparison.OrdinalIgnoreCase) == true
            ? BulkCopyType.ProviderSpecific
            : BulkCopyType.Default };

    /// <returns>How many stays were opened</returns>
    protected virtual async Task<int> BulkOpenStaysAsync(int segmentId, IEnumerable<int> customerIds, DateTime nowUtc)
    {
        var table = MembershipTable();
        var copied = await table.BulkCopyAsync(BulkCopyOptionsFor(table), customerIds.Select(customerId => new SegmentMembership
        {
            SegmentId = segmentId,
            CustomerId = customerId,
            EnteredOnUtc = nowUtc
        }));

        return (int)copied.RowsCopied;
    }

    #endregion

    #region Methods

    public virtual async Task<CustomerIdSet> ReadCustomerIdsAsync(IQueryable<int> customerIds, CustomerIdSet within = null)
    {
        ArgumentNullException.ThrowIfNull(customerIds);

        var set = new CustomerIdSet();
        await foreach (var customerId in customerIds.ToAsyncEnumerable())
        {
            if (within == null || within.Contains(customerId))
                set.Add(customerId);
        }

        return set;
    }

    public virtual async Task<(int Entered, int Left)> SynchronizeAsync(int segmentId, CustomerIdSet members, DateTime nowUtc,
        Func<CustomerIdSet, Task<CustomerIdSet>> keepAsync = null, Func<CustomerIdSet, Task<CustomerIdSet>> refuseAsync = null)
    {
        ArgumentNullException.ThrowIfNull(members);

        var staying = new CustomerIdSet();
        var leaving = new CustomerIdSet();
        await foreach (var customerId in _membershipRepository.Table.CurrentOf(segmentId).Select(membership => membership.CustomerId).ToAsyncEnumerable())
        {
            if (members.Contains(customerId))
                staying.Add(customerId);
            else
                leaving.Add(customerId);
        }

        if (keepAsync != null && leaving.Count > 0)
        {
            var kept = await keepAsync(leaving);
            leaving.ExceptWith(kept);
            foreach (var customerId in kept)
                staying.Add(customerId);
        }

        var left = 0;
        foreach (var batch in leaving.Chunk(WriteBatchSize))
            left += await CloseStaysAsync(segmentId, batch, nowUtc);

        var joining = members.Where(customerId => !staying.Contains(customerId));
        var joiningCount = members.Count - staying.Count;
        if (refuseAsync != null && joiningCount > 0)
        {
            var newcomers = new CustomerIdSet();
            foreach (var customerId in joining)
                newcomers.Add(customerId);
            var refused = await refuseAsync(newcomers);
            newcomers.ExceptWith(refused);
            (joining, joiningCount) = (newcomers, newcomers.Count);
        }

        var entered = 0;
        if (joiningCount > BulkCopyThreshold)
            entered = await BulkOpenStaysAsync(segmentId, joining, nowUtc);
        else
        {
            foreach (var batch in joining.Chunk(WriteBatchSize))
                entered += await OpenStaysAsync(segmentId, batch, nowUtc);
        }

        return (entered, left);
    }

    #endregion
}
