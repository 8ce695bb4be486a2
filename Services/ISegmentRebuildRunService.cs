using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// "Rebuild now" of a segment: queued, run in the background, its progress kept where the segment page reads it
/// </summary>
public interface ISegmentRebuildRunService
{
    /// <summary>
    /// Queues a rebuild of the dynamic segment and starts it without waiting for it; while a run of the segment
    /// is unfinished, that run is returned instead of a second one
    /// </summary>
    Task<SegmentRebuildRun> StartAsync(Segment segment);

    /// <summary>
    /// The segment's latest run (an unfinished one abandoned by a stopped application is reported failed), or null
    /// </summary>
    Task<SegmentRebuildRun> GetLatestRunAsync(int segmentId);
}
