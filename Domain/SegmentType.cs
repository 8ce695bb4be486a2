namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// How the members of a segment are chosen
/// </summary>
public enum SegmentType
{
    /// <summary>
    /// Members are the customers who match the segment's rule
    /// </summary>
    Dynamic = 10,

    /// <summary>
    /// Members are added and removed by hand
    /// </summary>
    Static = 20
}
