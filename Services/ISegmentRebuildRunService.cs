using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

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
    /// Brings the segments and the active dynamic segments that reference them, directly or through others, up to date
    /// in the background: a run is started (as <see cref="StartAsync"/>) for each active dynamic one of them that
    /// references none of the others, since a segment's run rebuilds the segments referencing it; inactive and static
    /// segments are not rebuilt, but the segments referencing them are
    /// </summary>
    /// <returns>The runs started, or found queued</returns>
    Task<IList<SegmentRebuildRun>> StartWithReferencingSegmentsAsync(IEnumerable<Segment> segments);

    /// <summary>
    /// Brings the active dynamic segments whose rules read the changed data up to date in the background, with the
    /// segments referencing them (as <see cref="StartWithReferencingSegmentsAsync"/>): for a change whose customers are
    /// not known any more, such as rows nopCommerce's database removed by a cascade
    /// </summary>
    /// <returns>The runs started, or found queued</returns>
    Task<IList<SegmentRebuildRun>> StartSegmentsReadingAsync(RuleDataSources changed);

    /// <summary>
    /// The segment's latest run (an unfinished one abandoned by a stopped application is reported failed), or null
    /// </summary>
    Task<SegmentRebuildRun> GetLatestRunAsync(int segmentId);
}
