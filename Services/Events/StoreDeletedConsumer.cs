using Nop.Core.Domain.Stores;
using Nop.Core.Events;
using Nop.Services.Events;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// A store deleted in nopCommerce: the segments limited to it become inactive and are named in the log for the admin
/// to review (choose another store, or all stores); their memberships and history stay
/// </summary>
public class StoreDeletedConsumer : IConsumer<EntityDeletedEvent<Store>>
{
    protected readonly IStoreSegmentDeactivator _storeSegmentDeactivator;

    public StoreDeletedConsumer(IStoreSegmentDeactivator storeSegmentDeactivator)
    {
        _storeSegmentDeactivator = storeSegmentDeactivator;
    }

    public virtual async Task HandleEventAsync(EntityDeletedEvent<Store> eventMessage)
    {
        if (eventMessage?.Entity is not Store { Id: > 0 } store)
            return;

        await _storeSegmentDeactivator.DeactivateStoreSegmentsAsync(store.Id, store.Name);
    }
}
