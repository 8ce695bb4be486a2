using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Discounts;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Customers;
using Nop.Services.Discounts;
using Nop.Services.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// For every current discount with a requirement of this rule the shopper meets, the localized messages
/// of the included segments the shopper is in
/// </summary>
public class SegmentOffersModelFactory : ISegmentOffersModelFactory
{
    protected readonly CustomerSegmentsSettings _settings;
    protected readonly IActiveSegmentReader _activeSegmentReader;
    protected readonly ICustomerSegmentIdsReader _customerSegmentIdsReader;
    protected readonly ICustomerService _customerService;
    protected readonly IDiscountService _discountService;
    protected readonly ILocalizationService _localizationService;
    protected readonly IRuleRequirementReader _ruleRequirementReader;
    protected readonly ISegmentRequirementChecker _segmentRequirementChecker;
    protected readonly ISegmentRequirementStore _segmentRequirementStore;

    public SegmentOffersModelFactory(CustomerSegmentsSettings settings,
        IActiveSegmentReader activeSegmentReader,
        ICustomerSegmentIdsReader customerSegmentIdsReader,
        ICustomerService customerService,
        IDiscountService discountService,
        ILocalizationService localizationService,
        IRuleRequirementReader ruleRequirementReader,
        ISegmentRequirementChecker segmentRequirementChecker,
        ISegmentRequirementStore segmentRequirementStore)
    {
        _settings = settings;
        _activeSegmentReader = activeSegmentReader;
        _customerSegmentIdsReader = customerSegmentIdsReader;
        _customerService = customerService;
        _discountService = discountService;
        _localizationService = localizationService;
        _ruleRequirementReader = ruleRequirementReader;
        _segmentRequirementChecker = segmentRequirementChecker;
        _segmentRequirementStore = segmentRequirementStore;
    }

    /// <summary>
    /// Whether the shopper can get the discount as nopCommerce grants it: its other requirements, its limitation (used
    /// up by him or by everyone), the gift cards in his cart; as if its coupon code were entered, which the segment's
    /// message may give him
    /// </summary>
    protected virtual async Task<bool> CanGetDiscountAsync(Discount discount, Customer customer)
    {
        var couponCodes = string.IsNullOrEmpty(discount.CouponCode) ? Array.Empty<string>() : [discount.CouponCode];

        return (await _discountService.ValidateDiscountAsync(discount, customer, couponCodes)).IsValid;
    }

    /// <summary>
    /// Segments of the shopper that unlock a current discount he can get
    /// </summary>
    protected virtual async Task<IList<int>> GetUnlockingSegmentIdsAsync(Customer customer, Store store, IReadOnlySet<int> memberOf)
    {
        var currentDiscounts = (await _discountService.GetAllDiscountsAsync()).ToDictionary(discount => discount.Id);
        //the rule's requirements from the static cache: nopCommerce's GetAllDiscountRequirementsAsync reads the whole table
        var requirements = (await _ruleRequirementReader.GetRuleRequirementsAsync())
            .Where(requirement => currentDiscounts.ContainsKey(requirement.DiscountId));

        var unlocking = new List<int>();
        var obtainable = new Dictionary<int, bool>();
        foreach (var requirement in requirements)
        {
            var result = await _segmentRequirementChecker.CheckAsync(new DiscountRequirementValidationRequest
            {
                DiscountRequirementId = requirement.Id,
                Customer = customer,
                Store = store
            });
            if (!result.IsValid)
                continue;

            if (!obtainable.TryGetValue(requirement.DiscountId, out var canGet))
                obtainable[requirement.DiscountId] = canGet = await CanGetDiscountAsync(currentDiscounts[requirement.DiscountId], customer);
            if (!canGet)
                continue;

            var configuration = await _segmentRequirementStore.GetAsync(requirement.Id);
            unlocking.AddRange(configuration.IncludeSegmentIds.Where(memberOf.Contains));
        }

        return unlocking.Distinct().ToList();
    }

    public virtual async Task<SegmentOffersModel> PrepareSegmentOffersModelAsync(Customer customer, Store store)
    {
        var model = new SegmentOffersModel();
        if (!_settings.WidgetEnabled || customer is null || customer.Id <= 0)
            return model;

        //a guest is in no segment unless guests are segmented: every new visitor would cost a read and a cache entry
        if (!_settings.IncludeGuests && !await _customerService.IsRegisteredAsync(customer))
            return model;

        var memberOf = await _customerSegmentIdsReader.GetSegmentIdsAsync(customer.Id);
        if (memberOf.Count == 0)
            return model;

        var segmentIds = await GetUnlockingSegmentIdsAsync(customer, store, memberOf);
        if (segmentIds.Count == 0)
            return model;

        //the active segments from the static cache: a deleted or switched off segment is not among them
        var segments = (await _activeSegmentReader.GetActiveSegmentsAsync())
            .Where(segment => segmentIds.Contains(segment.Id) && SegmentRequirementChecker.AppliesInStore(segment, store?.Id ?? 0))
            .OrderBy(segment => segment.Name);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var segment in segments)
        {
            var message = (await _localizationService.GetLocalizedAsync(segment, s => s.ShopperMessage))?.Trim();
            if (string.IsNullOrEmpty(message) || !seen.Add(message))
                continue;

            model.Messages.Add(new HtmlString(HtmlEncoder.Default.Encode(message)));
        }

        return model;
    }
}
