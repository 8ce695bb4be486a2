using System.Data.Common;
using System.Transactions;
using LinqToDB;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// A <see cref="TransactionScope"/> (as nopCommerce's repository uses for bulk writes) at READ COMMITTED whose
/// first statements update the segment's row, and the rows of the segments its rule reads, to themselves, in
/// id order: the row locks they take (PostgreSQL, MySQL, SQL Server) make the writers of one segment wait for
/// each other until commit, and each statement after them sees what the previous writer committed. A segment
/// that reads another's members is not written while that one is (on MySQL/MariaDB the INSERT ... SELECT would
/// otherwise share-lock rows the other writer holds while holding the table's AUTO_INCREMENT lock: a deadlock).
/// Taking the locks in id order keeps the writers themselves from deadlocking. Other segments' writers go on.
/// The scope is a new transaction: a failure here never dooms a transaction of the shop's own flow.
/// (Microsoft.Data.Sqlite, used only in tests, does not enlist: there each statement stands alone.)
/// </summary>
public class SegmentMembershipTransaction : ISegmentMembershipTransaction
{
    /// <summary>
    /// How many times the writes run when they fail in the database
    /// </summary>
    public const int MaxAttempts = 4;

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

    /// <summary>
    /// Whether the transaction failed in the database, so that running it again may succeed: a deadlock victim
    /// (which MariaDB reports as a deadlock, or as "failed to read auto-increment value" when the victim waited
    /// for the table's AUTO_INCREMENT lock), a lock wait timeout, a lost connection. Providers do not flag all
    /// of these as transient, so any database error counts; the attempts are few.
    /// </summary>
    protected virtual bool IsTransient(Exception exception)
    {
        for (var inner = exception; inner != null; inner = inner.InnerException)
        {
            if (inner is DbException)
                return true;
        }

        return false;
    }

    protected virtual async Task<TResult> RunOnceAsync<TResult>(IList<int> lockedSegmentIds, Func<Task<TResult>> writeAsync)
    {
        using var scope = CreateScope();
        foreach (var id in lockedSegmentIds)
            await LockSegmentAsync(id);
        var result = await writeAsync();
        scope.Complete();

        return result;
    }

    /// <summary>
    /// Runs the writes; a transaction that failed in the database (e.g. a deadlock victim on MySQL) runs again:
    /// the writes compare the rule with the rows as they are, so running them again is safe
    /// </summary>
    public virtual Task<TResult> RunAsync<TResult>(int segmentId, IEnumerable<int> referencedSegmentIds, Func<Task<TResult>> writeAsync) =>
        RunWithRetriesAsync((referencedSegmentIds ?? []).Append(segmentId).Distinct().Order().ToList(), writeAsync);

    public virtual Task RunAsync(Func<Task> writeAsync)
    {
        ArgumentNullException.ThrowIfNull(writeAsync);

        return RunWithRetriesAsync([], async () =>
        {
            await writeAsync();
            return true;
        });
    }

    protected virtual async Task<TResult> RunWithRetriesAsync<TResult>(IList<int> lockedSegmentIds, Func<Task<TResult>> writeAsync)
    {
        ArgumentNullException.ThrowIfNull(writeAsync);

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunOnceAsync(lockedSegmentIds, writeAsync);
            }
            catch (Exception exception) when (attempt < MaxAttempts && IsTransient(exception))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 100) * attempt));
            }
        }
    }
}
