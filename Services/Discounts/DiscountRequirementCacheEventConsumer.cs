using Nop.Core.Domain.Discounts;
using Nop.Core.Events;
using Nop.Services.Events;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Drops the cached requirements of this rule (<see cref="IRuleRequirementReader"/>) whenever nopCommerce inserts, updates or
/// deletes a discount requirement, of any rule: a requirement could become or stop being one of this rule, and requirements
/// change only when an admin edits a discount
/// </summary>
public class DiscountRequirementCacheEventConsumer :
    IConsumer<EntityInsertedEvent<DiscountRequirement>>,
    IConsumer<EntityUpdatedEvent<DiscountRequirement>>,
    IConsumer<EntityDeletedEvent<DiscountRequirement>>
{
    protected readonly ISegmentCacheInvalidator _segmentCacheInvalidator;

    public DiscountRequirementCacheEventConsumer(ISegmentCacheInvalidator segmentCacheInvalidator)
    {
        _segmentCacheInvalidator = segmentCacheInvalidator;
    }

    public virtual Task HandleEventAsync(EntityInsertedEvent<DiscountRequirement> eventMessage) =>
        _segmentCacheInvalidator.DiscountRequirementsChangedAsync();

    public virtual Task HandleEventAsync(EntityUpdatedEvent<DiscountRequirement> eventMessage) =>
        _segmentCacheInvalidator.DiscountRequirementsChangedAsync();

    public virtual Task HandleEventAsync(EntityDeletedEvent<DiscountRequirement> eventMessage) =>
        _segmentCacheInvalidator.DiscountRequirementsChangedAsync();
}
