using Nop.Services.Logging;
using Nop.Services.ScheduleTasks;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Scheduled task: rebuilds the segments whose rules depend on the current time ("no order in 90 days").
/// Holds a database lease while it runs, so that in a web farm only one instance rebuilds at a time.
/// </summary>
public class SegmentRebuildTask : IScheduleTask
{
    protected readonly ILogger _logger;
    protected readonly ISegmentLeaseService _segmentLeaseService;
    protected readonly ISegmentRebuildService _segmentRebuildService;

    public SegmentRebuildTask(ILogger logger,
        ISegmentLeaseService segmentLeaseService,
        ISegmentRebuildService segmentRebuildService)
    {
        _logger = logger;
        _segmentLeaseService = segmentLeaseService;
        _segmentRebuildService = segmentRebuildService;
    }

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
            //renewed before each segment; a run that lost its lease stops rather than write beside another
            return await _segmentRebuildService.RebuildTimeDependentSegmentsAsync(
                () => _segmentLeaseService.RenewAsync(name, holder, duration));
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
