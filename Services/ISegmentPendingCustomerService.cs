using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Customers whose segments an event could not re-evaluate when it was announced, kept in the database until the
/// next scheduled rebuild re-evaluates them: events announced inside a transaction of the caller. nopCommerce
/// announces the entities of its bulk inserts and deletes (IRepository's list overloads) inside their completed, not
/// yet committed, transaction, where the database cannot be used; inside a plugin's own transaction a re-evaluation
/// would read uncommitted data, write beside it and wait for its locks.
/// </summary>
public interface ISegmentPendingCustomerService
{
    /// <summary>
    /// Queues customers, outside any transaction of the caller (the row is written even while the caller's
    /// transaction is completed and not yet committed)
    /// </summary>
    /// <param name="customerIds">The customers</param>
    /// <param name="changed">The data the event changed</param>
    /// <param name="callerTransaction">
    /// The caller's transaction, when it is still active: the customers are queued once more when it commits, since a
    /// scheduled run in between may re-evaluate them from what was committed before it
    /// </param>
    Task QueueAsync(IList<int> customerIds, RuleDataSources changed, System.Transactions.Transaction callerTransaction = null);

    /// <summary>
    /// How many changes are queued (a customer changed twice is queued twice)
    /// </summary>
    Task<int> CountAsync();

    /// <summary>
    /// Re-evaluates the queued customers a batch at a time (see <see cref="ISegmentReevaluationService.ReevaluateCustomersAsync"/>)
    /// and removes them from the queue once re-evaluated. A customer whose re-evaluation fails stays queued and holds
    /// back no other: the others are processed, then <see cref="SegmentPendingCustomersException"/> names him.
    /// </summary>
    /// <param name="continueAsync">Asked after each batch whether to go on (e.g. whether the caller still holds its lease); all batches when null</param>
    /// <returns>How many queued rows were processed</returns>
    /// <exception cref="SegmentPendingCustomersException">Some customers failed and stay queued</exception>
    Task<int> ProcessAsync(Func<Task<bool>> continueAsync = null);
}
