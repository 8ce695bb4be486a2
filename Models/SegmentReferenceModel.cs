namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// A segment whose rule names another segment
/// </summary>
public record SegmentReferenceModel(int SegmentId, string SegmentName);
