using Nop.Core.Domain.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// The discount requirements of this plugin's rule, as the shopper offers widget reads them on every render
/// </summary>
public interface IRuleRequirementReader
{
    /// <summary>
    /// The requirements of this rule (<see cref="SegmentRequirementRule.IsRuleRequirement"/>) of every discount, current
    /// or not, from nopCommerce's static cache (dropped by <see cref="ISegmentCacheInvalidator.DiscountRequirementsChangedAsync"/>
    /// whenever nopCommerce inserts, updates or deletes a discount requirement). The list and its requirements are shared:
    /// callers must not change them.
    /// </summary>
    Task<IReadOnlyList<DiscountRequirement>> GetRuleRequirementsAsync();
}
