namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// Where a background rebuild of a segment is
/// </summary>
public enum SegmentRebuildRunState
{
    /// <summary>
    /// Waiting for the rebuild lease (another rebuild is running)
    /// </summary>
    Queued = 10,

    Running = 20,

    Completed = 30,

    Failed = 40
}
