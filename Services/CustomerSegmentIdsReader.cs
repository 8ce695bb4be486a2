using Nop.Core.Caching;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Reads a customer's segments at most once per request and keeps them in the static cache between requests;
/// <see cref="ISegmentCacheInvalidator"/> drops the static entry when the customer's memberships change
/// </summary>
public class CustomerSegmentIdsReader : ICustomerSegmentIdsReader
{
    protected readonly ISegmentMembershipService _segmentMembershipService;
    protected readonly IShortTermCacheManager _shortTermCacheManager;
    protected readonly IStaticCacheManager _staticCacheManager;

    public CustomerSegmentIdsReader(ISegmentMembershipService segmentMembershipService,
        IShortTermCacheManager shortTermCacheManager,
        IStaticCacheManager staticCacheManager)
    {
        _segmentMembershipService = segmentMembershipService;
        _shortTermCacheManager = shortTermCacheManager;
        _staticCacheManager = staticCacheManager;
    }

    public virtual async Task<IReadOnlySet<int>> GetSegmentIdsAsync(int customerId)
    {
        if (customerId <= 0)
            return new HashSet<int>();

        var ids = await _shortTermCacheManager.GetAsync(async () =>
        {
            var key = _staticCacheManager.PrepareKeyForDefaultCache(CustomerSegmentsCacheDefaults.CustomerSegmentIdsCacheKey, customerId);

            return await _staticCacheManager.GetAsync(key, async () =>
                (await _segmentMembershipService.GetSegmentIdsOfCustomerAsync(customerId)).Distinct().ToArray());
        }, CustomerSegmentsCacheDefaults.CustomerSegmentIdsCacheKey, customerId);

        return ids.ToHashSet();
    }
}
