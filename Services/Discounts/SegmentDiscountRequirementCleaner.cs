using Nop.Services.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Deletes the requirements whose rule is this plugin, and only those, as nopCommerce's own rules do on uninstall
/// </summary>
public class SegmentDiscountRequirementCleaner : ISegmentDiscountRequirementCleaner
{
    protected readonly IDiscountService _discountService;
    protected readonly ISegmentRequirementStore _segmentRequirementStore;

    public SegmentDiscountRequirementCleaner(IDiscountService discountService, ISegmentRequirementStore segmentRequirementStore)
    {
        _discountService = discountService;
        _segmentRequirementStore = segmentRequirementStore;
    }

    public virtual async Task<int> RemoveAllAsync()
    {
        var ours = (await _discountService.GetAllDiscountRequirementsAsync())
            .Where(requirement => string.Equals(requirement.DiscountRequirementRuleSystemName, CustomerSegmentsDefaults.SystemName, StringComparison.OrdinalIgnoreCase))
            .ToList();

        foreach (var requirement in ours)
        {
            //the requirement first: should it fail, its configuration is still there
            await _discountService.DeleteDiscountRequirementAsync(requirement, false);
            await _segmentRequirementStore.DeleteAsync(requirement.Id);
        }

        return ours.Count;
    }
}
