using System.Linq.Expressions;
using Nop.Core.Domain.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Which discount requirements are requirements of this plugin's rule. nopCommerce keeps a requirement group's name,
/// which the admin types freely, in the same column as a rule's system name: a group named like the rule is none of
/// its requirements. The name is matched as nopCommerce matches it when it loads the rule's plugin
/// </summary>
public static class SegmentRequirementRule
{
    private static readonly string LowerSystemName = CustomerSegmentsDefaults.SystemName.ToLowerInvariant();

    public static bool IsRuleRequirement(DiscountRequirement requirement) =>
        requirement is { IsGroup: false }
        && string.Equals(requirement.DiscountRequirementRuleSystemName, CustomerSegmentsDefaults.SystemName, StringComparison.InvariantCultureIgnoreCase);

    /// <summary>
    /// <see cref="IsRuleRequirement"/> for a database query, where the name is compared lower-cased
    /// </summary>
    public static Expression<Func<DiscountRequirement, bool>> IsRuleRequirementQuery { get; } = requirement =>
        !requirement.IsGroup && requirement.DiscountRequirementRuleSystemName.ToLower() == LowerSystemName;
}
