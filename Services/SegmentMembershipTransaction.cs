using System.Transactions;
using LinqToDB;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// A <see cref="TransactionScope"/> (as nopCommerce's repository uses for bulk writes) at READ COMMITTED whose
/// first statement updates the segment's row to itself: the row lock it takes (PostgreSQL, MySQL, SQL Server)
/// makes the writers of one segment wait for each other until commit, and each statement after it sees what
/// the previous writer committed. Writers of different segments do not wait for each other.
/// The scope is a new transaction: a failure here never dooms a transaction of the shop's own flow.
/// </summary>
public class SegmentMembershipTransaction : ISegmentMembershipTransaction
{
    protected readonly IRepository<Segment> _segmentRepository;

    public SegmentMembershipTransaction(IRepository<Segment> segmentRepository)
    {
        _segmentRepository = segmentRepository;
    }

    protected virtual TransactionScope CreateScope() =>
        new(TransactionScopeOption.RequiresNew,
            new TransactionOptions { IsolationLevel = IsolationLevel.ReadCommitted, Timeout = TransactionManager.MaximumTimeout },
            TransactionScopeAsyncFlowOption.Enabled);

    protected virtual Task LockSegmentAsync(int segmentId) =>
        _segmentRepository.Table
            .Where(segment => segment.Id == segmentId)
            .Set(segment => segment.LastRebuiltOnUtc, segment => segment.LastRebuiltOnUtc)
            .UpdateAsync();

    public virtual async Task<TResult> RunAsync<TResult>(int segmentId, Func<Task<TResult>> writeAsync)
    {
        ArgumentNullException.ThrowIfNull(writeAsync);

        using var scope = CreateScope();
        await LockSegmentAsync(segmentId);
        var result = await writeAsync();
        scope.Complete();

        return result;
    }
}
