namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Executes a queued "rebuild now" under the rebuild lease, recording each step
/// </summary>
public interface ISegmentRebuildRunner
{
    /// <summary>
    /// The steps of a run: check the segment and its rule, then rebuild its members (and the segments that use it)
    /// </summary>
    public const int StepCount = 2;

    /// <summary>
    /// Runs the run if it is still queued, then, while the lease is still held, re-evaluates the customers queued by
    /// events (whatever came of the run: the queue does not depend on its segment)
    /// </summary>
    /// <returns>False when another rebuild holds the lease: the run stays queued, to be tried again</returns>
    Task<bool> RunAsync(int runId);

    /// <summary>
    /// Fails a run that is still queued because the lease never came free
    /// </summary>
    Task GiveUpAsync(int runId);
}
