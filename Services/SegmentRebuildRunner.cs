using LinqToDB;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Runs a "rebuild now" while holding the same database lease as the scheduled rebuild, so that at most one
/// rebuild writes memberships at a time across all instances; the run row is updated after each step. Before it frees
/// the lease, the run re-evaluates the customers queued by events (see <see cref="ISegmentPendingCustomerProcessor"/>).
/// </summary>
public class SegmentRebuildRunner : ISegmentRebuildRunner
{
    protected readonly ILogger _logger;
    protected readonly IRepository<SegmentRebuildRun> _runRepository;
    protected readonly ISegmentLeaseService _segmentLeaseService;
    protected readonly ISegmentPendingCustomerProcessor _segmentPendingCustomerProcessor;
    protected readonly ISegmentRebuildService _segmentRebuildService;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;
    protected readonly ISegmentService _segmentService;

    public SegmentRebuildRunner(ILogger logger,
        IRepository<SegmentRebuildRun> runRepository,
        ISegmentLeaseService segmentLeaseService,
        ISegmentPendingCustomerProcessor segmentPendingCustomerProcessor,
        ISegmentRebuildService segmentRebuildService,
        ISegmentRuleValidator segmentRuleValidator,
        ISegmentService segmentService)
    {
        _logger = logger;
        _runRepository = runRepository;
        _segmentLeaseService = segmentLeaseService;
        _segmentPendingCustomerProcessor = segmentPendingCustomerProcessor;
        _segmentRebuildService = segmentRebuildService;
        _segmentRuleValidator = segmentRuleValidator;
        _segmentService = segmentService;
    }

    protected virtual async Task FailAsync(SegmentRebuildRun run, string errorResource)
    {
        run.StateId = (int)SegmentRebuildRunState.Failed;
        run.ErrorResource = errorResource;
        var nowUtc = DateTime.UtcNow;
        run.UpdatedOnUtc = nowUtc;
        run.FinishedOnUtc = nowUtc;
        await _runRepository.UpdateAsync(run, false);
    }

    protected virtual async Task StepDoneAsync(SegmentRebuildRun run)
    {
        run.StepsDone++;
        run.UpdatedOnUtc = DateTime.UtcNow;
        await _runRepository.UpdateAsync(run, false);
    }

    /// <summary>
    /// Step 1: the segment still exists, is dynamic, and its stored rule is valid for the current catalog (a store
    /// deleted since it was saved is no error, see <see cref="ISegmentRuleValidator.ValidateSavedAsync"/>)
    /// </summary>
    protected virtual async Task<Segment> CheckSegmentAsync(SegmentRebuildRun run)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(run.SegmentId);
        if (segment is null)
        {
            await FailAsync(run, "Segments.Rebuild.SegmentMissing");
            return null;
        }

        if (segment.SegmentTypeId != (int)SegmentType.Dynamic)
        {
            await FailAsync(run, "Segments.Rebuild.OnlyDynamic");
            return null;
        }

        if ((await _segmentRuleValidator.ValidateStoredAsync(segment)).Count > 0)
        {
            await FailAsync(run, "Segments.Rebuild.InvalidRule");
            return null;
        }

        return segment;
    }

    /// <summary>
    /// The claimed run's two steps, its outcome recorded in the run row
    /// </summary>
    /// <param name="run">The run, claimed by this runner</param>
    /// <param name="renewAsync">Renews the lease; false when it was lost</param>
    protected virtual async Task RebuildAsync(SegmentRebuildRun run, Func<Task<bool>> renewAsync)
    {
        try
        {
            var segment = await CheckSegmentAsync(run);
            if (segment is null)
                return;

            await StepDoneAsync(run);
            if (!await renewAsync())
            {
                await FailAsync(run, "Segments.Rebuild.Interrupted");
                return;
            }

            var result = await _segmentRebuildService.RebuildSegmentAsync(segment);
            run.Entered = result.Entered;
            run.Left = result.Left;
            run.StateId = (int)SegmentRebuildRunState.Completed;
            run.FinishedOnUtc = DateTime.UtcNow;
            await StepDoneAsync(run);
        }
        catch (SegmentRuleValidationException)
        {
            await FailAsync(run, "Segments.Rebuild.InvalidRule");
        }
        catch (Exception exception)
        {
            await _logger.ErrorAsync($"Customer segments: the rebuild of segment #{run.SegmentId} failed", exception);
            await FailAsync(run, "Segments.Rebuild.Failed");
        }
    }

    public virtual async Task<bool> RunAsync(int runId)
    {
        var run = await _runRepository.GetByIdAsync(runId);
        if (run is null || run.StateId != (int)SegmentRebuildRunState.Queued)
            return true;

        var name = CustomerSegmentsDefaults.RebuildLeaseName;
        var duration = CustomerSegmentsDefaults.RebuildLeaseDuration;
        var holder = SegmentLeaseService.NewHolder();

        if (!await _segmentLeaseService.TryAcquireAsync(name, holder, duration))
        {
            //still waiting: the page keeps showing it as queued, and it does not look abandoned
            run.UpdatedOnUtc = DateTime.UtcNow;
            await _runRepository.UpdateAsync(run, false);
            return false;
        }

        try
        {
            //of two runners that found the run queued, one claims it
            var nowUtc = DateTime.UtcNow;
            var claimed = await _runRepository.Table
                .Where(item => item.Id == runId && item.StateId == (int)SegmentRebuildRunState.Queued)
                .Set(item => item.StateId, (int)SegmentRebuildRunState.Running)
                .Set(item => item.UpdatedOnUtc, nowUtc)
                .UpdateAsync();
            if (claimed != 1)
                return true;

            Task<bool> renewAsync() => _segmentLeaseService.RenewAsync(name, holder, duration);
            run = await _runRepository.GetByIdAsync(runId);
            await RebuildAsync(run, renewAsync);

            //as the scheduled task does after its rebuild: the customers queued meanwhile (events inside transactions, or
            //during the recompute of the order figures this run may have started) wait no longer than this run
            if (await renewAsync())
                await _segmentPendingCustomerProcessor.ProcessAsync(renewAsync);

            return true;
        }
        finally
        {
            await _segmentLeaseService.ReleaseAsync(name, holder);
        }
    }

    public virtual async Task GiveUpAsync(int runId)
    {
        var run = await _runRepository.GetByIdAsync(runId);
        if (run?.StateId == (int)SegmentRebuildRunState.Queued)
            await FailAsync(run, "Segments.Rebuild.Busy");
    }
}
