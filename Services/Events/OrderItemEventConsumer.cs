using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Events;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Order items added, changed or removed (the admin's edits of an order, imports) move the order's customer in or out
/// of segments on bought products, categories and manufacturers, as an order update does. Only items of orders that
/// count as purchases can: the items nopCommerce inserts while it places an order that is not paid yet (most
/// checkouts) change nothing, and the order's own events re-evaluate the customer once it counts.
/// </summary>
public class OrderItemEventConsumer : OrderEventConsumerBase,
    IConsumer<EntityInsertedEvent<OrderItem>>,
    IConsumer<EntityUpdatedEvent<OrderItem>>,
    IConsumer<EntityDeletedEvent<OrderItem>>
{
    protected readonly IRepository<Order> _orderRepository;

    public OrderItemEventConsumer(CustomerSegmentsSettings settings, ILogger logger, ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentReevaluationService segmentReevaluationService, IRepository<Order> orderRepository, IReevaluatedOrderTracker reevaluatedOrderTracker)
        : base(settings, logger, segmentPendingCustomerService, segmentReevaluationService, reevaluatedOrderTracker)
    {
        _orderRepository = orderRepository;
    }

    /// <summary>
    /// The item's order, when it counts as a purchase
    /// </summary>
    protected virtual async Task<Order> GetPurchaseOfItemAsync(OrderItem item)
    {
        var orderId = item.OrderId;
        if (orderId <= 0)
            return null;

        return await SegmentQueries.Purchases(_orderRepository.Table, _settings).FirstOrDefaultAsync(order => order.Id == orderId);
    }

    /// <summary>
    /// Re-evaluates the customer of the item's order with what the order changed among his purchases (see
    /// <see cref="ISegmentReevaluationService.ReevaluateOrderCustomerAsync"/>); the order's next event in the request is
    /// skipped when the order is still as read here (see <see cref="IReevaluatedOrderTracker"/>)
    /// </summary>
    protected virtual Task ReevaluateItemAsync(OrderItem item, string eventName)
    {
        if (item == null)
            return Task.CompletedTask;

        _reevaluatedOrderTracker.Forget(item.OrderId);

        return RunLoggingFailuresAsync(async () =>
        {
            if (await QueueIfInsideTransactionAsync(async () => await GetPurchaseOfItemAsync(item) is { } queued ? [queued.CustomerId] : [], RuleDataSources.Orders))
                return;

            if (await GetPurchaseOfItemAsync(item) is { CustomerId: > 0 } order)
                await ReevaluateOrderCustomerAsync(order);
        }, eventName);
    }

    public virtual Task HandleEventAsync(EntityInsertedEvent<OrderItem> eventMessage) =>
        ReevaluateItemAsync(eventMessage?.Entity, "order item inserted");

    public virtual Task HandleEventAsync(EntityUpdatedEvent<OrderItem> eventMessage) =>
        ReevaluateItemAsync(eventMessage?.Entity, "order item updated");

    public virtual Task HandleEventAsync(EntityDeletedEvent<OrderItem> eventMessage) =>
        ReevaluateItemAsync(eventMessage?.Entity, "order item deleted");
}
