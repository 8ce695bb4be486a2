using Nop.Core.Domain.Discounts;
using Nop.Core.Events;
using Nop.Services.Events;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Removes the saved configuration of a requirement of this rule when nopCommerce deletes the requirement
/// </summary>
public class DiscountRequirementDeletedConsumer : IConsumer<EntityDeletedEvent<DiscountRequirement>>
{
    protected readonly ISegmentRequirementStore _segmentRequirementStore;

    public DiscountRequirementDeletedConsumer(ISegmentRequirementStore segmentRequirementStore)
    {
        _segmentRequirementStore = segmentRequirementStore;
    }

    public virtual async Task HandleEventAsync(EntityDeletedEvent<DiscountRequirement> eventMessage)
    {
        if (eventMessage?.Entity is not DiscountRequirement requirement || !SegmentRequirementRule.IsRuleRequirement(requirement))
            return;

        await _segmentRequirementStore.DeleteAsync(requirement.Id);
    }
}
