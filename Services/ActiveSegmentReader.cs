using Nop.Core.Caching;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Reads the active dynamic segments, and the active segments of both types, once into nopCommerce's static cache:
/// an order event, a discount requirement check or a render of the shopper offers then needs no query for them. The entities are cached as stored (rules as JSON), so that any of nopCommerce's cache providers,
/// distributed ones included, can hold them; parsing a rule costs microseconds.
/// </summary>
public class ActiveSegmentReader : IActiveSegmentReader
{
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IStaticCacheManager _staticCacheManager;

    public ActiveSegmentReader(IRepository<Segment> segmentRepository, IStaticCacheManager staticCacheManager)
    {
        _segmentRepository = segmentRepository;
        _staticCacheManager = staticCacheManager;
    }

    public virtual async Task<IReadOnlyList<Segment>> GetActiveDynamicSegmentsAsync()
    {
        var key = _staticCacheManager.PrepareKeyForDefaultCache(CustomerSegmentsCacheDefaults.ActiveDynamicSegmentsCacheKey);

        return await _staticCacheManager.GetAsync(key, async () => (IReadOnlyList<Segment>)await _segmentRepository.Table
            .Where(segment => segment.Active && segment.SegmentTypeId == (int)SegmentType.Dynamic)
            .OrderBy(segment => segment.Id)
            .ToListAsync());
    }

    public virtual async Task<IReadOnlyList<Segment>> GetActiveSegmentsAsync()
    {
        var key = _staticCacheManager.PrepareKeyForDefaultCache(CustomerSegmentsCacheDefaults.ActiveSegmentsCacheKey);

        return await _staticCacheManager.GetAsync(key, async () => (IReadOnlyList<Segment>)await _segmentRepository.Table
            .Where(segment => segment.Active)
            .OrderBy(segment => segment.Id)
            .ToListAsync());
    }
}
