using System.Globalization;
using Nop.Services.Discounts;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Deletes the requirements whose rule is this plugin, and only those, as nopCommerce's own rules do on uninstall. A
/// discount left without its segment requirement would apply to every customer (nopCommerce grants a discount whose
/// requirement group is empty), so the discounts that had one are made inactive, named in the log and given a note in
/// their admin comment: one inactive already would otherwise open to everyone the day an admin activates it again.
/// </summary>
public class SegmentDiscountRequirementCleaner : ISegmentDiscountRequirementCleaner
{
    protected readonly IDiscountService _discountService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;
    protected readonly ILogger _logger;
    protected readonly ISegmentRequirementStore _segmentRequirementStore;

    public SegmentDiscountRequirementCleaner(IDiscountService discountService,
        ILocaleResourceFormatter localeResourceFormatter,
        ILogger logger,
        ISegmentRequirementStore segmentRequirementStore)
    {
        _discountService = discountService;
        _localeResourceFormatter = localeResourceFormatter;
        _logger = logger;
        _segmentRequirementStore = segmentRequirementStore;
    }

    /// <summary>
    /// Makes the discounts inactive and notes why in their admin comment, before their requirements go: a failure after
    /// this leaves them closed, not open
    /// </summary>
    protected virtual async Task CloseAsync(IEnumerable<int> discountIds)
    {
        var note = await _localeResourceFormatter.FormatAsync($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.Uninstall.DiscountNote",
            DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var deactivated = new List<string>();
        var inactiveAlready = new List<string>();
        foreach (var discountId in discountIds)
        {
            var discount = await _discountService.GetDiscountByIdAsync(discountId);
            if (discount is null)
                continue;

            (discount.IsActive ? deactivated : inactiveAlready).Add($"{discount.Name} (#{discount.Id})");
            discount.IsActive = false;
            discount.AdminComment = string.IsNullOrWhiteSpace(discount.AdminComment) ? note : $"{discount.AdminComment.TrimEnd()}{Environment.NewLine}{note}";
            await _discountService.UpdateDiscountAsync(discount);
        }

        if (deactivated.Count > 0 || inactiveAlready.Count > 0)
        {
            await _logger.WarningAsync("Customer segments uninstalled: these discounts were targeted at segments and lost that requirement; " +
                "review their requirements before you activate them again (their admin comment says so too). " +
                $"Made inactive: {(deactivated.Count > 0 ? string.Join(", ", deactivated) : "none")}. " +
                $"Inactive already: {(inactiveAlready.Count > 0 ? string.Join(", ", inactiveAlready) : "none")}.");
        }
    }

    public virtual async Task<int> RemoveAllAsync()
    {
        var ours = (await _discountService.GetAllDiscountRequirementsAsync())
            .Where(SegmentRequirementRule.IsRuleRequirement)
            .ToList();

        await CloseAsync(ours.Select(requirement => requirement.DiscountId).Distinct());

        foreach (var requirement in ours)
        {
            //the requirement first: should it fail, its configuration is still there
            await _discountService.DeleteDiscountRequirementAsync(requirement, false);
            await _segmentRequirementStore.DeleteAsync(requirement.Id);
        }

        return ours.Count;
    }
}
