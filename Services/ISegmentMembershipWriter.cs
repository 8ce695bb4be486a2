using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The membership changes an admin asks for: rebuild a segment now, add or remove customers of a static segment
/// </summary>
public interface ISegmentMembershipWriter
{
    /// <summary>
    /// Re-evaluates a dynamic segment's rule and brings its membership up to date
    /// </summary>
    /// <returns>The number of members after the rebuild</returns>
    Task<int> RebuildSegmentAsync(Segment segment);

    /// <summary>
    /// Adds customers to a static segment; customers already in it stay as they are
    /// </summary>
    /// <returns>How many customers entered the segment</returns>
    Task<int> AddCustomersAsync(Segment segment, IList<int> customerIds);

    /// <summary>
    /// Removes customers from a static segment (their stay ends now; history is kept)
    /// </summary>
    /// <returns>How many customers left the segment</returns>
    Task<int> RemoveCustomersAsync(Segment segment, IList<int> customerIds);
}
