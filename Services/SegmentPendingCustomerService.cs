using System.Transactions;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The queue of customers the next scheduled rebuild re-evaluates, in the plugin's own table
/// </summary>
public class SegmentPendingCustomerService : ISegmentPendingCustomerService
{
    protected readonly ILogger _logger;
    protected readonly IRepository<SegmentPendingCustomer> _pendingCustomerRepository;
    protected readonly ISegmentReevaluationService _segmentReevaluationService;

    public SegmentPendingCustomerService(ILogger logger,
        IRepository<SegmentPendingCustomer> pendingCustomerRepository,
        ISegmentReevaluationService segmentReevaluationService)
    {
        _logger = logger;
        _pendingCustomerRepository = pendingCustomerRepository;
        _segmentReevaluationService = segmentReevaluationService;
    }

    protected virtual IList<SegmentPendingCustomer> Rows(IList<int> customerIds, RuleDataSources changed)
    {
        var nowUtc = DateTime.UtcNow;
        return customerIds.Select(customerId => new SegmentPendingCustomer { CustomerId = customerId, DataSourcesId = (int)changed, QueuedOnUtc = nowUtc }).ToList();
    }

    /// <summary>
    /// Queues the customers again once the caller's transaction commits. The transaction raises its completion
    /// synchronously while the caller disposes it, so the rows are written synchronously, outside it; a failure is
    /// logged and kept from the caller, whose data is committed by then.
    /// </summary>
    protected virtual void QueueAgainWhenCommitted(Transaction callerTransaction, IList<int> customerIds, RuleDataSources changed)
    {
        callerTransaction.TransactionCompleted += (_, args) =>
        {
            if (args.Transaction?.TransactionInformation.Status != TransactionStatus.Committed)
                return;

            try
            {
                using var scope = new TransactionScope(TransactionScopeOption.Suppress);
                foreach (var row in Rows(customerIds, changed))
                    _pendingCustomerRepository.Insert(row, false);
                scope.Complete();
            }
            catch (Exception exception)
            {
                _logger.Error($"Customer segments: customers {string.Join(", ", customerIds)} could not be queued after their change committed; the next full rebuild re-evaluates them", exception);
            }
        };
    }

    public virtual async Task QueueAsync(IList<int> customerIds, RuleDataSources changed, Transaction callerTransaction = null)
    {
        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        if (ids.Count == 0 || changed == RuleDataSources.None)
            return;

        //each row commits by itself: the caller's transaction may be completed already, when no statement may join it
        using (var scope = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled))
        {
            foreach (var row in Rows(ids, changed))
                await _pendingCustomerRepository.InsertAsync(row, false);
            scope.Complete();
        }

        if (callerTransaction?.TransactionInformation.Status == TransactionStatus.Active)
            QueueAgainWhenCommitted(callerTransaction, ids, changed);
    }

    public virtual Task<int> CountAsync() => _pendingCustomerRepository.Table.CountAsync();

    public virtual async Task<int> ProcessAsync(Func<Task<bool>> continueAsync = null)
    {
        var processed = 0;
        var failedCustomerIds = new List<int>();
        Exception firstFailure = null;
        //rows after the last batch only: the rows of customers that failed stay queued without being read again in this run
        var afterId = 0;
        while (true)
        {
            var batch = await _pendingCustomerRepository.Table
                .Where(pending => pending.Id > afterId)
                .OrderBy(pending => pending.Id)
                .Take(CustomerSegmentsDefaults.PendingCustomerBatchSize)
                .ToListAsync();
            if (batch.Count == 0)
                break;

            afterId = batch[^1].Id;
            var done = await ReevaluateBatchAsync(batch, (customerId, exception) =>
            {
                failedCustomerIds.Add(customerId);
                firstFailure ??= exception;
            });

            if (done.Count > 0)
            {
                var ids = done.Select(pending => pending.Id).ToList();
                await _pendingCustomerRepository.DeleteAsync(pending => ids.Contains(pending.Id));
                processed += done.Count;
            }

            if (continueAsync != null && !await continueAsync())
                break;
        }

        if (failedCustomerIds.Count > 0)
            throw new SegmentPendingCustomersException(failedCustomerIds.Distinct().ToList(), processed, firstFailure);

        return processed;
    }

    /// <summary>
    /// Re-evaluates the customers of a batch, each once with all his queued changes: one re-evaluation per combination
    /// of changed data (see <see cref="ReevaluateAsync"/>)
    /// </summary>
    /// <param name="batch">The queued rows</param>
    /// <param name="failed">Told each customer whose re-evaluation failed, with the failure</param>
    /// <returns>The rows re-evaluated</returns>
    protected virtual async Task<IList<SegmentPendingCustomer>> ReevaluateBatchAsync(IList<SegmentPendingCustomer> batch, Action<int, Exception> failed)
    {
        var changesByCustomer = batch
            .GroupBy(pending => pending.CustomerId)
            .ToDictionary(rows => rows.Key, rows => rows.Aggregate(RuleDataSources.None, (changed, row) => changed | (RuleDataSources)row.DataSourcesId));
        var done = new HashSet<int>();
        foreach (var customers in changesByCustomer.GroupBy(pair => pair.Value, pair => pair.Key))
            await ReevaluateAsync(customers.ToList(), customers.Key, done, failed);

        return batch.Where(pending => done.Contains(pending.CustomerId)).ToList();
    }

    /// <summary>
    /// Re-evaluates customers together; when that fails, one at a time, so that a customer whose re-evaluation fails
    /// holds back no other
    /// </summary>
    /// <param name="customerIds">The customers</param>
    /// <param name="changed">The data their queued events changed</param>
    /// <param name="done">Receives the customers re-evaluated</param>
    /// <param name="failed">Told each customer whose re-evaluation failed, with the failure</param>
    protected virtual async Task ReevaluateAsync(IList<int> customerIds, RuleDataSources changed, ISet<int> done, Action<int, Exception> failed)
    {
        try
        {
            var failedSegments = (await _segmentReevaluationService.ReevaluateCustomersAsync(customerIds, changed)).Where(result => result.Failed).ToList();
            //the rebuild logged each failed segment and went on with the others: the customers stay queued all the same
            if (failedSegments.Count > 0)
                throw new InvalidOperationException($"Writing segments {string.Join(", ", failedSegments.Select(result => result.SegmentId))} failed (logged)");

            done.UnionWith(customerIds);
        }
        catch (Exception exception)
        {
            if (customerIds.Count == 1)
            {
                failed(customerIds[0], exception);
                return;
            }

            foreach (var customerId in customerIds)
                await ReevaluateAsync([customerId], changed, done, failed);
        }
    }
}
