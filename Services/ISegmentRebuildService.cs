using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Keeps the membership of dynamic segments equal to their rules, in set-based statements on the database
/// </summary>
public interface ISegmentRebuildService
{
    /// <summary>
    /// Rebuilds the dynamic segment from its rule, then the active dynamic segments that reference it
    /// </summary>
    /// <exception cref="SegmentRuleValidationException">The rule is not valid; nothing changed</exception>
    Task<SegmentRebuildResult> RebuildSegmentAsync(Segment segment);

    /// <summary>
    /// Rebuilds every active dynamic segment, referenced segments first; a segment with an invalid rule is
    /// logged and skipped
    /// </summary>
    Task<IList<SegmentRebuildResult>> RebuildAllSegmentsAsync();

    /// <summary>
    /// Rebuilds the active dynamic segments whose rules depend on the current time, and those that reference them
    /// </summary>
    /// <param name="continueAsync">Asked before each segment; false stops the run (e.g. the lease was lost)</param>
    Task<IList<SegmentRebuildResult>> RebuildTimeDependentSegmentsAsync(Func<Task<bool>> continueAsync = null);

    /// <summary>
    /// Rebuilds every active dynamic segment as the scheduled task does for time-based ones: the order statistics
    /// are moved with time first when a segment reads RFM scores
    /// </summary>
    /// <param name="continueAsync">Asked before each segment; false stops the run (e.g. the lease was lost)</param>
    Task<IList<SegmentRebuildResult>> RebuildAllSegmentsOnScheduleAsync(Func<Task<bool>> continueAsync = null);
}

/// <summary>
/// How many customers entered and left a segment in one rebuild; <paramref name="Failed"/> when its statements failed in
/// the database (logged; nothing of it is counted, the next run completes it); <paramref name="Skipped"/> when the
/// segment was changed (rule, store, type, deactivated) after the run loaded it, so that the change's own rebuild applies it
/// </summary>
public record SegmentRebuildResult(int SegmentId, int Entered, int Left, bool Failed = false, bool Skipped = false);
