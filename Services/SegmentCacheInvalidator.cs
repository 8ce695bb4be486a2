using Nop.Core.Caching;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Removes the per-customer membership keys from nopCommerce's static cache
/// </summary>
public class SegmentCacheInvalidator : ISegmentCacheInvalidator
{
    /// <summary>
    /// Above this many customers one prefix removal is cheaper than removing keys one by one
    /// </summary>
    public const int PerCustomerRemovalLimit = 500;

    protected readonly IStaticCacheManager _staticCacheManager;

    public SegmentCacheInvalidator(IStaticCacheManager staticCacheManager)
    {
        _staticCacheManager = staticCacheManager;
    }

    public virtual Task CustomerMembershipChangedAsync(int customerId) =>
        _staticCacheManager.RemoveAsync(CustomerSegmentsCacheDefaults.CustomerSegmentIdsCacheKey, customerId);

    public virtual async Task CustomersMembershipChangedAsync(IEnumerable<int> customerIds)
    {
        ArgumentNullException.ThrowIfNull(customerIds);

        var ids = customerIds.Distinct().ToList();
        if (ids.Count > PerCustomerRemovalLimit)
        {
            await AllMembershipsChangedAsync();
            return;
        }

        foreach (var customerId in ids)
            await CustomerMembershipChangedAsync(customerId);
    }

    public virtual Task AllMembershipsChangedAsync() =>
        _staticCacheManager.RemoveByPrefixAsync(CustomerSegmentsCacheDefaults.CustomerSegmentIdsPrefix);

    public virtual async Task SegmentsChangedAsync()
    {
        await _staticCacheManager.RemoveAsync(CustomerSegmentsCacheDefaults.ActiveDynamicSegmentsCacheKey);
        await _staticCacheManager.RemoveAsync(CustomerSegmentsCacheDefaults.ActiveSegmentsCacheKey);
    }

    public virtual Task DiscountRequirementsChangedAsync() =>
        _staticCacheManager.RemoveAsync(CustomerSegmentsCacheDefaults.RuleRequirementsCacheKey);

    public virtual Task PluginDataChangedAsync() =>
        _staticCacheManager.RemoveByPrefixAsync(CustomerSegmentsCacheDefaults.Prefix);
}
