using System.Transactions;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Base of the consumers that keep segments current: re-evaluates the customers an event touches, and never
/// lets a failure reach the shop's own flow (it is logged, and the customers are queued for the scheduled task). An event
/// announced inside a transaction of the caller queues its customers for the next scheduled rebuild instead (see
/// <see cref="ISegmentPendingCustomerService"/>).
/// </summary>
public abstract class SegmentEventConsumerBase
{
    protected readonly ILogger _logger;
    protected readonly ISegmentPendingCustomerService _segmentPendingCustomerService;
    protected readonly ISegmentReevaluationService _segmentReevaluationService;

    protected SegmentEventConsumerBase(ILogger logger, ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentReevaluationService segmentReevaluationService)
    {
        _logger = logger;
        _segmentPendingCustomerService = segmentPendingCustomerService;
        _segmentReevaluationService = segmentReevaluationService;
    }

    /// <summary>
    /// Whether the event is announced inside a transaction of the caller. nopCommerce's bulk inserts and deletes
    /// announce their entities inside their completed, not yet committed, transaction, where the ambient transaction
    /// cannot even be read (it throws) and no connection can be opened; a plugin's own transaction would have the
    /// re-evaluation read what it has not committed and write beside it, or wait for its locks.
    /// </summary>
    protected static bool InsideTransaction()
    {
        try
        {
            return Transaction.Current != null;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>
    /// The caller's transaction; null when there is none, or when it is completed and cannot be read (see <see cref="InsideTransaction"/>)
    /// </summary>
    protected static Transaction ReadableTransaction()
    {
        try
        {
            return Transaction.Current;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Queues the customers for the next scheduled rebuild when the event is announced inside a transaction of the
    /// caller (see <see cref="InsideTransaction"/>)
    /// </summary>
    /// <param name="getCustomerIds">The customers; a look-up in the database reads what is committed</param>
    /// <param name="changed">The data the event changed</param>
    /// <returns>Whether the customers were queued rather than to be re-evaluated now</returns>
    protected virtual async Task<bool> QueueIfInsideTransactionAsync(Func<Task<IEnumerable<int>>> getCustomerIds, RuleDataSources changed)
    {
        if (!InsideTransaction())
            return false;

        var callerTransaction = ReadableTransaction();
        //the look-up too runs outside the caller's transaction
        using var scope = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled);
        await _segmentPendingCustomerService.QueueAsync((await getCustomerIds() ?? []).ToList(), changed, callerTransaction);
        scope.Complete();

        return true;
    }

    /// <summary>
    /// Re-evaluates customers, and queues them for the scheduled task when that fails: when a segment's statements failed
    /// (the rebuild logged it), or when the re-evaluation threw, before the failure goes on to the log. A re-evaluation
    /// that stopped half-way may have written part of a customer's order figures, which a full rebuild reads as they
    /// are: his queued re-evaluation refreshes them.
    /// </summary>
    /// <param name="customerIds">The customers re-evaluated</param>
    /// <param name="changed">The data the event changed</param>
    /// <param name="reevaluateAsync">The re-evaluation</param>
    /// <returns>Whether a segment failed (the customers were queued)</returns>
    protected virtual async Task<bool> ReevaluateOrQueueAsync(IList<int> customerIds, RuleDataSources changed,
        Func<Task<IList<SegmentRebuildResult>>> reevaluateAsync)
    {
        IList<SegmentRebuildResult> results;
        try
        {
            results = await reevaluateAsync();
        }
        catch (Exception failure)
        {
            try
            {
                await _segmentPendingCustomerService.QueueAsync(customerIds, changed);
            }
            catch (Exception queueing)
            {
                throw new AggregateException(failure, queueing);
            }

            throw;
        }

        if (!(results ?? []).Any(result => result.Failed))
            return false;

        await _segmentPendingCustomerService.QueueAsync(customerIds, changed);
        return true;
    }

    /// <summary>
    /// Whether the order figures are being recomputed in full now (see <see cref="CustomerOrderStatisticsService.AreBeingRecomputed"/>)
    /// </summary>
    protected virtual bool OrderFiguresBeingRecomputed() => false;

    /// <summary>
    /// Queues the customers for the next scheduled rebuild when their orders changed while the order figures are
    /// recomputed in full: refreshing their figures would wait for the recompute's transaction, minutes in a large shop,
    /// in the shop's own request (a checkout). The scheduled task re-evaluates them after the recompute.
    /// </summary>
    /// <param name="customerIds">The customers</param>
    /// <param name="changed">The data the event changed</param>
    /// <returns>Whether the customers were queued rather than to be re-evaluated now</returns>
    protected virtual async Task<bool> QueueIfOrderFiguresBeingRecomputedAsync(IList<int> customerIds, RuleDataSources changed)
    {
        if (!changed.HasFlag(RuleDataSources.Orders) || !OrderFiguresBeingRecomputed())
            return false;

        await _segmentPendingCustomerService.QueueAsync(customerIds, changed);
        return true;
    }

    /// <summary>
    /// Re-evaluates the customers the event is about, in the segments that read the changed data
    /// </summary>
    /// <param name="getCustomerIds">The customers (may query the database; failures are caught too)</param>
    /// <param name="changed">The data the event changed</param>
    /// <param name="eventName">For the log</param>
    protected virtual Task ReevaluateAsync(Func<Task<IEnumerable<int>>> getCustomerIds, RuleDataSources changed, string eventName) =>
        RunLoggingFailuresAsync(async () =>
        {
            if (await QueueIfInsideTransactionAsync(getCustomerIds, changed))
                return;

            var customerIds = (await getCustomerIds() ?? []).Where(id => id > 0).Distinct().ToList();
            if (customerIds.Count > 0 && !await QueueIfOrderFiguresBeingRecomputedAsync(customerIds, changed))
                await ReevaluateOrQueueAsync(customerIds, changed, () => _segmentReevaluationService.ReevaluateCustomersAsync(customerIds, changed));
        }, eventName);

    /// <summary>
    /// Runs a re-evaluation; a failure is logged, never thrown
    /// </summary>
    /// <param name="reevaluateAsync">The re-evaluation</param>
    /// <param name="eventName">For the log</param>
    protected virtual async Task RunLoggingFailuresAsync(Func<Task> reevaluateAsync, string eventName)
    {
        try
        {
            await reevaluateAsync();
        }
        catch (Exception exception)
        {
            try
            {
                await _logger.ErrorAsync($"Customer segments: updating segments after {eventName} failed; its customers are queued for the scheduled task unless queueing failed too (then the next full rebuild corrects their segments)", exception);
            }
            catch
            {
                //the log is unavailable too: the shop's flow still goes on
            }
        }
    }

    protected Task ReevaluateAsync(IEnumerable<int> customerIds, RuleDataSources changed, string eventName) =>
        ReevaluateAsync(() => Task.FromResult(customerIds), changed, eventName);
}
