using Nop.Core.Caching;
using Nop.Core.Domain.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;
using Nop.Services.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Reads the requirements of this rule once into nopCommerce's static cache: nopCommerce 4.90's
/// <see cref="IDiscountService.GetAllDiscountRequirementsAsync"/> caches nothing, and the widget renders on every page.
/// The entities are cached as stored, so that any of nopCommerce's cache providers, distributed ones included, can hold them.
/// </summary>
public class RuleRequirementReader : IRuleRequirementReader
{
    protected readonly IDiscountService _discountService;
    protected readonly IStaticCacheManager _staticCacheManager;

    public RuleRequirementReader(IDiscountService discountService, IStaticCacheManager staticCacheManager)
    {
        _discountService = discountService;
        _staticCacheManager = staticCacheManager;
    }

    public virtual async Task<IReadOnlyList<DiscountRequirement>> GetRuleRequirementsAsync()
    {
        var key = _staticCacheManager.PrepareKeyForDefaultCache(CustomerSegmentsCacheDefaults.RuleRequirementsCacheKey);

        return await _staticCacheManager.GetAsync(key, async () => (IReadOnlyList<DiscountRequirement>)(await _discountService.GetAllDiscountRequirementsAsync())
            .Where(SegmentRequirementRule.IsRuleRequirement)
            .OrderBy(requirement => requirement.Id)
            .ToList());
    }
}
