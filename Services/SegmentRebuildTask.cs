using Nop.Services.Configuration;
using Nop.Services.Logging;
using Nop.Services.ScheduleTasks;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Scheduled task: rebuilds the segments whose rules depend on the current time ("no order in 90 days"), and every
/// segment once per full rebuild interval (see <see cref="CustomerSegmentsSettings.FullRebuildIntervalHours"/>), then
/// re-evaluates the customers queued by events that could not (see <see cref="ISegmentPendingCustomerService"/>).
/// Holds a database lease while it runs, so that in a web farm only one instance rebuilds at a time.
/// </summary>
public class SegmentRebuildTask : IScheduleTask
{
    protected readonly CustomerSegmentsSettings _settings;
    protected readonly ILogger _logger;
    protected readonly ISegmentLeaseService _segmentLeaseService;
    protected readonly ISegmentPendingCustomerProcessor _segmentPendingCustomerProcessor;
    protected readonly ISegmentRebuildService _segmentRebuildService;
    protected readonly ISettingService _settingService;

    public SegmentRebuildTask(CustomerSegmentsSettings settings,
        ILogger logger,
        ISegmentLeaseService segmentLeaseService,
        ISegmentPendingCustomerProcessor segmentPendingCustomerProcessor,
        ISegmentRebuildService segmentRebuildService,
        ISettingService settingService)
    {
        _settings = settings;
        _logger = logger;
        _segmentLeaseService = segmentLeaseService;
        _segmentPendingCustomerProcessor = segmentPendingCustomerProcessor;
        _segmentRebuildService = segmentRebuildService;
        _settingService = settingService;
    }

    /// <summary>
    /// Whether this run rebuilds every segment
    /// </summary>
    protected virtual bool IsFullRebuildDue(DateTime nowUtc) =>
        _settings.FullRebuildIntervalHours > 0
        && (_settings.LastFullRebuildOnUtc is not { } last || nowUtc - last >= TimeSpan.FromHours(_settings.FullRebuildIntervalHours));

    /// <summary>
    /// Rebuilds unless another instance is rebuilding
    /// </summary>
    /// <returns>The results, or null when another instance holds the lease</returns>
    public virtual async Task<IList<SegmentRebuildResult>> RunAsync()
    {
        var name = CustomerSegmentsDefaults.RebuildLeaseName;
        var duration = CustomerSegmentsDefaults.RebuildLeaseDuration;
        var holder = SegmentLeaseService.NewHolder();

        if (!await _segmentLeaseService.TryAcquireAsync(name, holder, duration))
            return null;

        try
        {
            //renewed after each batch of queued customers and before each segment; a run that lost its lease stops rather
            //than write beside another
            var leaseLost = false;
            async Task<bool> renewAsync()
            {
                leaseLost |= !await _segmentLeaseService.RenewAsync(name, holder, duration);
                return !leaseLost;
            }

            var startedUtc = DateTime.UtcNow;
            IList<SegmentRebuildResult> results;
            if (!IsFullRebuildDue(startedUtc))
                results = await _segmentRebuildService.RebuildTimeDependentSegmentsAsync(renewAsync);
            else
            {
                results = await _segmentRebuildService.RebuildAllSegmentsOnScheduleAsync(renewAsync);
                //a segment whose rebuild failed is corrected by the next run: the full rebuild stays due
                if (!leaseLost && !results.Any(result => result.Failed))
                {
                    _settings.LastFullRebuildOnUtc = startedUtc;
                    await _settingService.SaveSettingAsync(_settings, settings => settings.LastFullRebuildOnUtc);
                }
            }

            //after the rebuild: the customers queued while it recomputed the order figures (see
            //CustomerSegmentsSettings.OrderStatisticsRecomputeStartedOnUtc) are re-evaluated over the new figures
            if (!leaseLost)
                await _segmentPendingCustomerProcessor.ProcessAsync(renewAsync);

            return results;
        }
        finally
        {
            await _segmentLeaseService.ReleaseAsync(name, holder);
        }
    }

    public virtual async Task ExecuteAsync()
    {
        var results = await RunAsync();
        if (results == null)
            await _logger.InformationAsync("Customer segments: the scheduled rebuild is running on another instance; skipped");
    }
}
