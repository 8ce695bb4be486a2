using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The active segments, as the per-customer re-evaluation after events reads them on every event and the discount
/// requirement and the shopper offers widget on every check and render
/// </summary>
public interface IActiveSegmentReader
{
    /// <summary>
    /// The active dynamic segments in id order, from nopCommerce's static cache (dropped by
    /// <see cref="ISegmentCacheInvalidator.SegmentsChangedAsync"/> whenever a segment is saved or deleted).
    /// The list and its segments are shared: callers must not change them.
    /// </summary>
    Task<IReadOnlyList<Segment>> GetActiveDynamicSegmentsAsync();

    /// <summary>
    /// The active segments of both types (dynamic and static) in id order, from nopCommerce's static cache (dropped by
    /// <see cref="ISegmentCacheInvalidator.SegmentsChangedAsync"/> whenever a segment is saved or deleted).
    /// The list and its segments are shared: callers must not change them.
    /// </summary>
    Task<IReadOnlyList<Segment>> GetActiveSegmentsAsync();
}
