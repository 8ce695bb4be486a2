using System.Transactions;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The queue of customers the next scheduled rebuild re-evaluates, in the plugin's own table
/// </summary>
public class SegmentPendingCustomerService : ISegmentPendingCustomerService
{
    protected readonly IRepository<SegmentPendingCustomer> _pendingCustomerRepository;
    protected readonly ISegmentRebuildService _segmentRebuildService;

    public SegmentPendingCustomerService(IRepository<SegmentPendingCustomer> pendingCustomerRepository, ISegmentRebuildService segmentRebuildService)
    {
        _pendingCustomerRepository = pendingCustomerRepository;
        _segmentRebuildService = segmentRebuildService;
    }

    public virtual async Task QueueAsync(IList<int> customerIds, RuleDataSources changed)
    {
        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        if (ids.Count == 0 || changed == RuleDataSources.None)
            return;

        //each row commits by itself: the caller's transaction may be completed already, when no statement may join it
        using var scope = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled);
        var nowUtc = DateTime.UtcNow;
        foreach (var customerId in ids)
            await _pendingCustomerRepository.InsertAsync(new SegmentPendingCustomer { CustomerId = customerId, DataSourcesId = (int)changed, QueuedOnUtc = nowUtc }, false);
        scope.Complete();
    }

    public virtual Task<int> CountAsync() => _pendingCustomerRepository.Table.CountAsync();

    public virtual async Task<int> ProcessAsync(Func<Task<bool>> continueAsync = null)
    {
        var processed = 0;
        while (true)
        {
            var batch = await _pendingCustomerRepository.Table
                .OrderBy(pending => pending.Id)
                .Take(CustomerSegmentsDefaults.PendingCustomerBatchSize)
                .ToListAsync();
            if (batch.Count == 0)
                return processed;

            //one re-evaluation per combination of changed data, each customer once with all his queued changes
            var byChanges = batch
                .GroupBy(pending => pending.CustomerId)
                .GroupBy(rows => rows.Aggregate(RuleDataSources.None, (changed, row) => changed | (RuleDataSources)row.DataSourcesId), rows => rows.Key);
            foreach (var customers in byChanges)
                await _segmentRebuildService.ReevaluateCustomersAsync(customers.ToList(), customers.Key);

            var ids = batch.Select(pending => pending.Id).ToList();
            await _pendingCustomerRepository.DeleteAsync(pending => ids.Contains(pending.Id));
            processed += batch.Count;

            if (continueAsync != null && !await continueAsync())
                return processed;
        }
    }
}
