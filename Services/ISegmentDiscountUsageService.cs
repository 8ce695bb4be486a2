using Nop.Plugin.Misc.CustomerSegments.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Finds the discount requirements that target a segment
/// </summary>
public interface ISegmentDiscountUsageService
{
    /// <summary>
    /// The discounts with a requirement of this plugin's rule that names the segment; such requirements
    /// fail closed once the segment is deleted
    /// </summary>
    Task<IList<SegmentDiscountUsageModel>> GetUsagesAsync(int segmentId);
}
