using System.Transactions;
using LinqToDB;
using Microsoft.AspNetCore.Http;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// nopCommerce publishes several events for one order in one request (a checkout: the order inserted, updated,
/// placed, its status changed, paid): the customer is re-evaluated again only when the order changed since
/// </summary>
public class OrderEventsInOneRequestTests : MembershipTestBase
{
    private readonly HttpContextAccessor _request = new() { HttpContext = new DefaultHttpContext() };

    public OrderEventsInOneRequestTests(DatabaseEngine engine) : base(engine)
    {
    }

    private OrderEventConsumer OrdersInRequest => new(new CustomerSegmentsSettings(), Logger.Object, PendingCustomers, ReevaluationService, new ReevaluatedOrderTracker(_request));

    private OrderItemEventConsumer OrderItemsInRequest =>
        new(new CustomerSegmentsSettings(), Logger.Object, PendingCustomers, ReevaluationService, Repository<Order>(), new ReevaluatedOrderTracker(_request));

    /// <summary>
    /// The order refunded in the database without an event, the entity left as it was: an event that reads the
    /// orders again takes the customer out of the buyers, one that is skipped does not
    /// </summary>
    private Task RefundWithoutAnEventAsync(Order order) =>
        Repository<Order>().Table
            .Where(row => row.Id == order.Id)
            .Set(row => row.PaymentStatusId, (int)PaymentStatus.Refunded)
            .UpdateAsync();

    /// <summary>
    /// A customer, a segment of buyers, and a paid order of the customer placed in the request
    /// </summary>
    private async Task<(Customer Customer, Segment Buyers, Order Order)> OrderPlacedInTheRequestAsync()
    {
        var customer = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var order = await OrderAsync(customer.Id, publishEvent: false);
        await PublishAsync(OrdersInRequest, new OrderPlacedEvent(order));

        return (customer, buyers, order);
    }

    [Test]
    public async Task TheNextEventsAboutAnUnchangedOrderInTheSameRequestAreSkipped()
    {
        var (ann, buyers, order) = await OrderPlacedInTheRequestAsync();
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));

        await RefundWithoutAnEventAsync(order);
        await PublishAsync(OrdersInRequest, new EntityUpdatedEvent<Order>(order));
        await PublishAsync(OrdersInRequest, new OrderStatusChangedEvent(order, OrderStatus.Pending));
        await PublishAsync(OrdersInRequest, new OrderPaidEvent(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "the orders were not read again");

        _request.HttpContext = new DefaultHttpContext();
        await PublishAsync(OrdersInRequest, new OrderPaidEvent(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "the next request re-evaluates");
    }

    [Test]
    public async Task AnOrderChangedSinceItsLastEventIsReevaluatedInTheSameRequest()
    {
        var (ann, buyers, order) = await OrderPlacedInTheRequestAsync();

        order.PaymentStatus = PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(order, false);
        await PublishAsync(OrdersInRequest, new OrderRefundedEvent(order, order.OrderTotal));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);

        order.PaymentStatus = PaymentStatus.Paid;
        await Repository<Order>().UpdateAsync(order, false);
        await PublishAsync(OrdersInRequest, new EntityUpdatedEvent<Order>(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "back as it was at the first event");
    }

    [Test]
    public async Task AnItemEventMakesTheOrdersNextEventReevaluate()
    {
        var (ann, buyers, order) = await OrderPlacedInTheRequestAsync();

        await RefundWithoutAnEventAsync(order);
        var item = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = 501, Quantity = 1 };
        await Repository<OrderItem>().InsertAsync(item, false);
        //the item's own re-evaluation finds no purchase to re-evaluate: the order is refunded
        await PublishAsync(OrderItemsInRequest, new EntityInsertedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));

        await PublishAsync(OrdersInRequest, new OrderPaidEvent(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);
    }

    [Test]
    public async Task AnItemOfAPurchaseReevaluatesTheCustomerSoThatTheOrdersNextEventIsSkipped()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var fan = await ProductAsync("Fan product");
        var fans = await SegmentAsync("Fans", Json(Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, fan.Id)));
        var order = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync(OrdersInRequest, new EntityInsertedEvent<Order>(order));

        var item = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = fan.Id, Quantity = 1 };
        await Repository<OrderItem>().InsertAsync(item, false);
        await PublishAsync(OrderItemsInRequest, new EntityInsertedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.EqualTo(new[] { ann.Id }));

        await RefundWithoutAnEventAsync(order);
        await PublishAsync(OrdersInRequest, new OrderPlacedEvent(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "the order is as the item's event read it");
    }

    [Test]
    public async Task AnEventQueuedInsideATransactionIsNotRemembered()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var order = await OrderAsync(ann.Id, publishEvent: false);

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await PublishAsync(OrdersInRequest, new EntityInsertedEvent<Order>(order));
            scope.Complete();
        }

        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "queued");
        await PublishAsync(OrdersInRequest, new OrderPlacedEvent(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
    }

    [Test]
    public async Task AFailedReevaluationIsNotRemembered()
    {
        var reevaluation = new Mock<ISegmentReevaluationService>();
        reevaluation.SetupSequence(service => service.ReevaluateOrderCustomerAsync(It.IsAny<Order>()))
            .ThrowsAsync(new InvalidOperationException("database is down"))
            .ReturnsAsync([]);
        var consumer = new OrderEventConsumer(new CustomerSegmentsSettings(), Logger.Object, PendingCustomers, reevaluation.Object, new ReevaluatedOrderTracker(_request));
        var order = new Order { Id = 9, CustomerId = 5, PaymentStatusId = (int)PaymentStatus.Paid };

        await PublishAsync(consumer, new OrderPlacedEvent(order));
        await PublishAsync(consumer, new OrderPaidEvent(order));
        await PublishAsync(consumer, new EntityUpdatedEvent<Order>(order));

        reevaluation.Verify(service => service.ReevaluateOrderCustomerAsync(order), Times.Exactly(2), "again after the failure, then skipped");
    }

    [Test]
    public async Task AnOrderDeletedIsReevaluatedAtItsNextEvent()
    {
        var (ann, buyers, order) = await OrderPlacedInTheRequestAsync();

        //deleted as an import deletes (the row, the entity left as it was), then written back without an event
        await RefundWithoutAnEventAsync(order);
        await PublishAsync(OrdersInRequest, new EntityDeletedEvent<Order>(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);
        await Repository<Order>().Table.Where(row => row.Id == order.Id).Set(row => row.PaymentStatusId, order.PaymentStatusId).UpdateAsync();

        await PublishAsync(OrdersInRequest, new OrderPaidEvent(order));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
    }
}
