using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// One "rebuild now" of a segment requested by an admin: it runs in the background and records its progress
/// here, where the segment page reads it
/// </summary>
public class SegmentRebuildRun : BaseEntity
{
    public int SegmentId { get; set; }

    /// <summary>
    /// <see cref="SegmentRebuildRunState"/>
    /// </summary>
    public int StateId { get; set; }

    public int StepsDone { get; set; }

    public int StepsTotal { get; set; }

    /// <summary>
    /// Customers who entered the segment (when completed)
    /// </summary>
    public int Entered { get; set; }

    /// <summary>
    /// Customers who left the segment (when completed)
    /// </summary>
    public int Left { get; set; }

    /// <summary>
    /// Why the run failed: a locale resource name relative to the plugin's prefix
    /// </summary>
    public string ErrorResource { get; set; }

    public DateTime CreatedOnUtc { get; set; }

    /// <summary>
    /// The last change of the run; an unfinished run not updated for longer than the rebuild lease was interrupted
    /// </summary>
    public DateTime UpdatedOnUtc { get; set; }

    public DateTime? FinishedOnUtc { get; set; }
}
