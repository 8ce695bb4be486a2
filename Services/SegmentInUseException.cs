using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Thrown instead of deleting a segment that other segments' rules name
/// </summary>
public class SegmentInUseException : Exception
{
    public SegmentInUseException(int segmentId, IList<Segment> referencingSegments)
        : base($"Segment {segmentId} is named by the rules of segments {string.Join(", ", (referencingSegments ?? []).Select(segment => segment.Id))}")
    {
        ReferencingSegments = referencingSegments ?? [];
    }

    public IList<Segment> ReferencingSegments { get; }
}
