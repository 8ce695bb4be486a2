using Nop.Services.Discounts;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Deletes the requirements whose rule is this plugin, and only those, as nopCommerce's own rules do on uninstall. A
/// discount left without its segment requirement would apply to every customer (nopCommerce grants a discount whose
/// requirement group is empty), so the discounts that had one are made inactive and named in the log.
/// </summary>
public class SegmentDiscountRequirementCleaner : ISegmentDiscountRequirementCleaner
{
    protected readonly IDiscountService _discountService;
    protected readonly ILogger _logger;
    protected readonly ISegmentRequirementStore _segmentRequirementStore;

    public SegmentDiscountRequirementCleaner(IDiscountService discountService, ILogger logger, ISegmentRequirementStore segmentRequirementStore)
    {
        _discountService = discountService;
        _logger = logger;
        _segmentRequirementStore = segmentRequirementStore;
    }

    /// <summary>
    /// Makes the discounts inactive, before their requirements go: a failure after this leaves them closed, not open
    /// </summary>
    protected virtual async Task DeactivateAsync(IEnumerable<int> discountIds)
    {
        var deactivated = new List<string>();
        foreach (var discountId in discountIds)
        {
            var discount = await _discountService.GetDiscountByIdAsync(discountId);
            if (discount is not { IsActive: true })
                continue;

            discount.IsActive = false;
            await _discountService.UpdateDiscountAsync(discount);
            deactivated.Add($"{discount.Name} (#{discount.Id})");
        }

        if (deactivated.Count > 0)
            await _logger.WarningAsync($"Customer segments uninstalled: these discounts were targeted at segments and are now inactive, review their requirements before you activate them again: {string.Join(", ", deactivated)}");
    }

    public virtual async Task<int> RemoveAllAsync()
    {
        var ours = (await _discountService.GetAllDiscountRequirementsAsync())
            .Where(SegmentRequirementRule.IsRuleRequirement)
            .ToList();

        await DeactivateAsync(ours.Select(requirement => requirement.DiscountId).Distinct());

        foreach (var requirement in ours)
        {
            //the requirement first: should it fail, its configuration is still there
            await _discountService.DeleteDiscountRequirementAsync(requirement, false);
            await _segmentRequirementStore.DeleteAsync(requirement.Id);
        }

        return ours.Count;
    }
}
