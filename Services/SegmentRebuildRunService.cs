using Microsoft.Extensions.DependencyInjection;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Starts "rebuild now" runs on a background task with a service scope of its own (the request that started it
/// returns at once), retrying while another rebuild holds the lease; the page polls the run row
/// </summary>
public class SegmentRebuildRunService : ISegmentRebuildRunService
{
    /// <summary>
    /// A queued run its launcher has not touched for this long was abandoned (the application stopped)
    /// </summary>
    public static readonly TimeSpan QueuedRunAbandonedAfter = TimeSpan.FromMinutes(2);

    protected readonly IRepository<SegmentRebuildRun> _runRepository;
    protected readonly IServiceScopeFactory _serviceScopeFactory;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;
    protected readonly ISegmentService _segmentService;
    protected readonly SegmentRuleAnalyzer _segmentRuleAnalyzer;

    public SegmentRebuildRunService(IRepository<SegmentRebuildRun> runRepository,
        IServiceScopeFactory serviceScopeFactory,
        ISegmentRuleValidator segmentRuleValidator,
        ISegmentService segmentService,
        SegmentRuleAnalyzer segmentRuleAnalyzer)
    {
        _runRepository = runRepository;
        _serviceScopeFactory = serviceScopeFactory;
        _segmentRuleValidator = segmentRuleValidator;
        _segmentService = segmentService;
        _segmentRuleAnalyzer = segmentRuleAnalyzer;
    }

    /// <summary>
    /// How long the launcher waits before it asks for the lease again
    /// </summary>
    public virtual TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the launcher keeps waiting for the lease before it gives up
    /// </summary>
    public virtual TimeSpan GiveUpAfter { get; set; } = CustomerSegmentsDefaults.RebuildLeaseDuration;

    protected static bool IsAbandoned(SegmentRebuildRun run, DateTime nowUtc) => run.StateId switch
    {
        (int)SegmentRebuildRunState.Queued => run.UpdatedOnUtc < nowUtc - QueuedRunAbandonedAfter,
        //a running run is updated after each step; the lease it holds expires after this long without renewal
        (int)SegmentRebuildRunState.Running => run.UpdatedOnUtc < nowUtc - CustomerSegmentsDefaults.RebuildLeaseDuration,
        _ => false
    };

    /// <summary>
    /// Whether the segment's stored rule validates as its run checks it (see <see cref="SegmentRebuildRunner"/>)
    /// </summary>
    protected virtual async Task<bool> IsRuleValidAsync(Segment segment) =>
        (await _segmentRuleValidator.ValidateStoredAsync(segment)).Count == 0;

    /// <summary>
    /// Runs the run on the thread pool, in scopes of its own, until it ran or the lease never came free
    /// </summary>
    protected virtual Task LaunchAsync(int runId)
    {
        var scopeFactory = _serviceScopeFactory;
        var retryDelay = RetryDelay;
        var giveUpAt = DateTime.UtcNow + GiveUpAfter;

        async Task runAsync()
        {
            try
            {
                while (true)
                {
                    await using (var scope = scopeFactory.CreateAsyncScope())
                    {
                        var runner = scope.ServiceProvider.GetRequiredService<ISegmentRebuildRunner>();
                        if (await runner.RunAsync(runId))
                            return;

                        if (DateTime.UtcNow >= giveUpAt)
                        {
                            await runner.GiveUpAsync(runId);
                            return;
                        }
                    }

                    await Task.Delay(retryDelay);
                }
            }
            catch (Exception exception)
            {
                //nothing awaits this task: log, the run is then reported abandoned
                try
                {
                    await using var scope = scopeFactory.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ILogger>()
                        .ErrorAsync($"Customer segments: the background rebuild run #{runId} stopped", exception);
                }
                catch
                {
                    //the application is stopping
                }
            }
        }

        //the run outlives the request that starts it: it must not carry that request's context (its HttpContext, from
        //which nopCommerce resolves services and reads the store, customer and page) onto another thread
        if (ExecutionContext.IsFlowSuppressed())
            return Task.Run(runAsync);

        using (ExecutionContext.SuppressFlow())
            return Task.Run(runAsync);
    }

    public virtual async Task<SegmentRebuildRun> StartAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.SegmentTypeId != (int)SegmentType.Dynamic)
            throw new InvalidOperationException("Only dynamic segments are rebuilt from a rule");

        //a queued run has not read the segment yet and will run what was saved; a running one may have read it before
        //this change: a new run follows it (waiting for its lease)
        var latest = await GetLatestRunAsync(segment.Id);
        if (latest is { StateId: (int)SegmentRebuildRunState.Queued })
            return latest;

        var nowUtc = DateTime.UtcNow;
        var run = new SegmentRebuildRun
        {
            SegmentId = segment.Id,
            StateId = (int)SegmentRebuildRunState.Queued,
            StepsTotal = ISegmentRebuildRunner.StepCount,
            CreatedOnUtc = nowUtc,
            UpdatedOnUtc = nowUtc
        };
        await _runRepository.InsertAsync(run, false);

        //not awaited: the request returns while the rebuild runs
        _ = LaunchAsync(run.Id);

        return run;
    }

    public virtual async Task<IList<SegmentRebuildRun>> StartWithReferencingSegmentsAsync(IEnumerable<Segment> segments)
    {
        var ids = (segments ?? []).Where(segment => segment != null).Select(segment => segment.Id).ToHashSet();
        if (ids.Count == 0)
            return [];

        //as a run finds them (SegmentRebuildService.RebuildSegmentAsync): the active dynamic segments whose rules parse
        var active = (await _segmentService.GetAllSegmentsAsync(activeOnly: true))
            .Where(segment => segment.SegmentTypeId == (int)SegmentType.Dynamic)
            .ToList();
        var dependencies = new Dictionary<int, SegmentRuleDependencies>();
        foreach (var segment in active)
        {
            if (_segmentService.GetDependencies(segment) is { } dependency)
                dependencies[segment.Id] = dependency;
        }

        var selectedIds = _segmentRuleAnalyzer.GetDependents(ids, dependencies);
        selectedIds.UnionWith(active.Where(segment => ids.Contains(segment.Id)).Select(segment => segment.Id));

        //referenced segments first: a segment whose run an earlier one brings along gets none of its own
        var runs = new List<SegmentRebuildRun>();
        var broughtAlong = new HashSet<int>();
        foreach (var segment in _segmentRuleAnalyzer.OrderByDependency(active.Where(segment => selectedIds.Contains(segment.Id)), dependencies))
        {
            if (broughtAlong.Contains(segment.Id))
                continue;

            runs.Add(await StartAsync(segment));
            //a run whose stored rule no longer validates fails before it rebuilds anything: the segments naming it get runs of their own
            if (await IsRuleValidAsync(segment))
                broughtAlong.UnionWith(_segmentRuleAnalyzer.GetDependents([segment.Id], dependencies));
        }

        return runs;
    }

    public virtual async Task<IList<SegmentRebuildRun>> StartSegmentsReadingAsync(RuleDataSources changed) =>
        await StartWithReferencingSegmentsAsync(await _segmentService.GetActiveDynamicSegmentsReadingAsync(changed));

    public virtual async Task<SegmentRebuildRun> GetLatestRunAsync(int segmentId)
    {
        var run = await _runRepository.Table
            .Where(item => item.SegmentId == segmentId)
            .OrderByDescending(item => item.Id)
            .FirstOrDefaultAsync();

        var nowUtc = DateTime.UtcNow;
        if (run is not null && IsAbandoned(run, nowUtc))
        {
            run.StateId = (int)SegmentRebuildRunState.Failed;
            run.ErrorResource = "Segments.Rebuild.Interrupted";
            run.UpdatedOnUtc = nowUtc;
            run.FinishedOnUtc = nowUtc;
            await _runRepository.UpdateAsync(run, false);
        }

        return run;
    }
}
