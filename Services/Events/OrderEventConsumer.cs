using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Events;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Orders placed, paid, changed, refunded, voided or deleted move their customer in or out of order-based segments.
/// The entity events catch what the order events do not announce: orders written by imports or other plugins,
/// and the admin's edits of an order (its totals, for instance). Within one request, an event about an order that
/// is as it was at the previous re-evaluation changes nothing and is skipped (see <see cref="IReevaluatedOrderTracker"/>).
/// </summary>
public class OrderEventConsumer : OrderEventConsumerBase,
    IConsumer<EntityInsertedEvent<Order>>,
    IConsumer<EntityUpdatedEvent<Order>>,
    IConsumer<OrderPlacedEvent>,
    IConsumer<OrderPaidEvent>,
    IConsumer<OrderStatusChangedEvent>,
    IConsumer<OrderRefundedEvent>,
    IConsumer<OrderVoidedEvent>,
    IConsumer<EntityDeletedEvent<Order>>
{
    public OrderEventConsumer(CustomerSegmentsSettings settings, ILogger logger, ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentReevaluationService segmentReevaluationService, IReevaluatedOrderTracker reevaluatedOrderTracker)
        : base(settings, logger, segmentPendingCustomerService, segmentReevaluationService, reevaluatedOrderTracker)
    {
    }

    /// <summary>
    /// Re-evaluates the order's customer after a change of the order itself: only what the order can change among his
    /// purchases is refreshed (see <see cref="ISegmentReevaluationService.ReevaluateOrderCustomerAsync"/>)
    /// </summary>
    protected virtual Task ReevaluateOrderAsync(Order order, string eventName)
    {
        if (order == null || order.CustomerId <= 0 || _reevaluatedOrderTracker.IsUnchanged(order))
            return Task.CompletedTask;

        //remembered again only once the re-evaluation succeeded: a failed one may have written part of the figures, and its
        //customer is queued
        _reevaluatedOrderTracker.Forget(order.Id);

        return RunLoggingFailuresAsync(async () =>
        {
            if (!await QueueIfInsideTransactionAsync(() => Task.FromResult<IEnumerable<int>>([order.CustomerId]), RuleDataSources.Orders))
                await ReevaluateOrderCustomerAsync(order);
        }, eventName);
    }

    public virtual Task HandleEventAsync(EntityInsertedEvent<Order> eventMessage) =>
        ReevaluateOrderAsync(eventMessage?.Entity, "order inserted");

    public virtual Task HandleEventAsync(EntityUpdatedEvent<Order> eventMessage) =>
        ReevaluateOrderAsync(eventMessage?.Entity, "order updated");

    public virtual Task HandleEventAsync(OrderPlacedEvent eventMessage) =>
        ReevaluateOrderAsync(eventMessage?.Order, nameof(OrderPlacedEvent));

    public virtual Task HandleEventAsync(OrderPaidEvent eventMessage) =>
        ReevaluateOrderAsync(eventMessage?.Order, nameof(OrderPaidEvent));

    public virtual Task HandleEventAsync(OrderStatusChangedEvent eventMessage) =>
        ReevaluateOrderAsync(eventMessage?.Order, nameof(OrderStatusChangedEvent));

    public virtual Task HandleEventAsync(OrderRefundedEvent eventMessage) =>
        ReevaluateOrderAsync(eventMessage?.Order, nameof(OrderRefundedEvent));

    public virtual Task HandleEventAsync(OrderVoidedEvent eventMessage) =>
        ReevaluateOrderAsync(eventMessage?.Order, nameof(OrderVoidedEvent));

    /// <summary>
    /// A deleted order is re-evaluated as a change of all the customer's orders: its items may be gone with it
    /// </summary>
    public virtual Task HandleEventAsync(EntityDeletedEvent<Order> eventMessage)
    {
        if (eventMessage?.Entity is not { } order)
            return Task.CompletedTask;

        _reevaluatedOrderTracker.Forget(order.Id);

        return ReevaluateAsync([order.CustomerId], RuleDataSources.Orders, "order deleted");
    }
}
