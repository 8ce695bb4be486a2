using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Events;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The plugin's consumers receive nopCommerce's own event types and move customers in and out
/// </summary>
public class EventConsumerTests : MembershipTestBase
{
    public EventConsumerTests(DatabaseEngine engine) : base(engine)
    {
    }

    private AddressEventConsumer Addresses => new(Logger.Object, PendingCustomers, ReevaluationService, Repository<Customer>(), Repository<CustomerAddressMapping>());

    private OrderItemEventConsumer OrderItems => new(new CustomerSegmentsSettings(), Logger.Object, PendingCustomers, ReevaluationService, Repository<Order>(), OutsideRequest);

    [Test]
    public async Task EachOrderEventMovesTheCustomerInAndOut()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var events = new (string Name, Func<Order, Task> Publish)[]
        {
            (nameof(OrderPlacedEvent), order => PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(order))),
            (nameof(OrderPaidEvent), order => PublishAsync<OrderPaidEvent>(Orders, new OrderPaidEvent(order))),
            (nameof(OrderStatusChangedEvent), order => PublishAsync<OrderStatusChangedEvent>(Orders, new OrderStatusChangedEvent(order, OrderStatus.Pending))),
            (nameof(OrderRefundedEvent), order => PublishAsync<OrderRefundedEvent>(Orders, new OrderRefundedEvent(order, 10))),
            (nameof(OrderVoidedEvent), order => PublishAsync<OrderVoidedEvent>(Orders, new OrderVoidedEvent(order))),
            ("EntityDeletedEvent<Order>", order => PublishAsync<EntityDeletedEvent<Order>>(Orders, new EntityDeletedEvent<Order>(order)))
        };

        foreach (var (name, publish) in events)
        {
            var order = await OrderAsync(ann.Id);
            await publish(order);
            Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }), $"{name} puts the buyer in");

            order.Deleted = true;
            await Repository<Order>().UpdateAsync(order);
            await publish(order);
            Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty, $"{name} takes the customer without orders out");
        }

        Assert.That(await RowsAsync(segment.Id), Has.Count.EqualTo(events.Length));
    }

    [Test]
    public async Task ItemsAddedToOrRemovedFromAPurchaseMoveItsCustomer()
    {
        var ann = await CustomerAsync("ann@example.com");
        var fan = await ProductAsync("Fan product");
        var fans = await SegmentAsync("Fans", Json(Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, fan.Id)));
        var paid = await OrderAsync(ann.Id, publishEvent: false);
        var pending = await OrderAsync(ann.Id, PaymentStatus.Pending, publishEvent: false);
        //the products bought per customer current, as the rules read them then
        await NewStatisticsService().RecomputeAllAsync(DateTime.UtcNow);
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty);

        //an item of an order that is no purchase changes nothing
        var pendingItem = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = pending.Id, ProductId = fan.Id, Quantity = 1 };
        await Repository<OrderItem>().InsertAsync(pendingItem, false);
        await PublishAsync(OrderItems, new EntityInsertedEvent<OrderItem>(pendingItem));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty, "item of a pending order");

        //the admin adds the product to the paid order, changes it to another one, then back, then removes it
        var item = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = paid.Id, ProductId = fan.Id, Quantity = 1 };
        await Repository<OrderItem>().InsertAsync(item, false);
        await PublishAsync(OrderItems, new EntityInsertedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.EqualTo(new[] { ann.Id }), "item added");

        item.ProductId = fan.Id + 1;
        await Repository<OrderItem>().UpdateAsync(item, false);
        await PublishAsync(OrderItems, new EntityUpdatedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty, "item changed to another product");

        item.ProductId = fan.Id;
        await Repository<OrderItem>().UpdateAsync(item, false);
        await PublishAsync(OrderItems, new EntityUpdatedEvent<OrderItem>(item));
        await Repository<OrderItem>().DeleteAsync(item, false);
        await PublishAsync(OrderItems, new EntityDeletedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty, "item removed");
        Assert.That(await RowsAsync(fans.Id), Has.Count.EqualTo(2), "in twice");
    }

    [Test]
    public async Task AnOrdersLifeMovesItsCustomerInAndOut()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var bigSpenders = await SegmentAsync("Big spenders", Json(Condition(RuleFields.TotalSpent, RuleOperators.GreaterThanOrEqual, 100)));

        async Task<Order> changeAsync(Order order, Action<Order> change)
        {
            change(order);
            await Repository<Order>().UpdateAsync(order, false);
            return order;
        }

        //a pending order is no purchase yet; paying it makes the customer a buyer
        var first = await OrderAsync(ann.Id, PaymentStatus.Pending, publishEvent: false);
        await PublishAsync<EntityInsertedEvent<Order>>(Orders, new EntityInsertedEvent<Order>(first));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "pending");
        await changeAsync(first, order => order.PaymentStatusId = (int)PaymentStatus.Paid);
        await PublishAsync<OrderPaidEvent>(Orders, new OrderPaidEvent(first));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "paid");

        //refunded: no longer a purchase
        await changeAsync(first, order => order.PaymentStatusId = (int)PaymentStatus.Refunded);
        await PublishAsync<OrderRefundedEvent>(Orders, new OrderRefundedEvent(first, first.OrderTotal));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "refunded");

        //placed and paid, then cancelled by the admin
        var second = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(second));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "placed paid");
        await changeAsync(second, order => order.OrderStatusId = (int)OrderStatus.Cancelled);
        await PublishAsync<OrderStatusChangedEvent>(Orders, new OrderStatusChangedEvent(second, OrderStatus.Complete));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "cancelled");

        //an imported paid order, then voided
        var third = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<EntityInsertedEvent<Order>>(Orders, new EntityInsertedEvent<Order>(third));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "inserted paid");
        Assert.That(await CurrentMemberIdsAsync(bigSpenders.Id), Is.Empty, "spent 10");
        await changeAsync(third, order => order.PaymentStatusId = (int)PaymentStatus.Voided);
        await PublishAsync<OrderVoidedEvent>(Orders, new OrderVoidedEvent(third));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "voided");

        //the admin edits a paid order's total: only the entity event tells
        var fourth = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<EntityInsertedEvent<Order>>(Orders, new EntityInsertedEvent<Order>(fourth));
        await changeAsync(fourth, order => order.OrderTotal = 150);
        await PublishAsync<EntityUpdatedEvent<Order>>(Orders, new EntityUpdatedEvent<Order>(fourth));
        Assert.That(await CurrentMemberIdsAsync(bigSpenders.Id), Is.EqualTo(new[] { ann.Id }), "total edited to 150");
        await changeAsync(fourth, order => order.OrderTotal = 99);
        await PublishAsync<EntityUpdatedEvent<Order>>(Orders, new EntityUpdatedEvent<Order>(fourth));
        Assert.That(await CurrentMemberIdsAsync(bigSpenders.Id), Is.Empty, "total edited to 99");

        Assert.That(await RowsAsync(buyers.Id), Has.Count.EqualTo(4), "one stay per time the customer came back");
    }

    [Test]
    public async Task OrderEventsPickUpARuleEditedBetweenThemAndLogAndSkipAnInvalidRule()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var regulars = await SegmentAsync("Regulars", Json(OrdersAtLeast(3)));
        var spenders = await SegmentAsync("Spenders", Json(Condition(RuleFields.TotalSpent, RuleOperators.GreaterThanOrEqual, 25)));
        var broken = await SegmentAsync("Broken", Json(OrdersAtLeast(1)));
        //stored behind the service's back (e.g. an older version of the plugin)
        broken.RuleJson = Json(Condition("no.such.field", RuleOperators.Equal, 1));
        await Repository<Segment>().UpdateAsync(broken);

        var first = await OrderAsync(ann.Id, total: 20, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(first));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(broken.Id), Is.Empty);
        Logger.Verify(logger => logger.WarningAsync(It.Is<string>(message => message.Contains("Broken")), It.IsAny<Exception>(), null), Times.Once);

        //the rule edited between two events: the next event reads the new rule
        regulars.RuleJson = Json(OrdersAtLeast(2));
        await SegmentService.UpdateSegmentAsync(regulars);
        var second = await OrderAsync(ann.Id, total: 10, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(second));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.EqualTo(new[] { ann.Id }));
        Logger.Verify(logger => logger.WarningAsync(It.Is<string>(message => message.Contains("Broken")), It.IsAny<Exception>(), null), Times.Exactly(2));

        //a refund and a cancellation: no longer purchases, the statistics count them apart
        second.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(second, false);
        await PublishAsync<OrderRefundedEvent>(Orders, new OrderRefundedEvent(second, 10));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));

        first.OrderStatusId = (int)OrderStatus.Cancelled;
        await Repository<Order>().UpdateAsync(first, false);
        await PublishAsync<OrderStatusChangedEvent>(Orders, new OrderStatusChangedEvent(first, OrderStatus.Complete));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);

        var statistics = await Repository<CustomerOrderStatistics>().Table
            .Where(row => row.CustomerId == ann.Id)
            .ToListAsync();
        Assert.That(statistics.Select(row => row.StoreId).Order(), Is.EqualTo(new[] { 0, 1 }));
        foreach (var row in statistics)
        {
            Assert.That((row.OrderCount, row.TotalSpent, row.RefundedOrderCount, row.CancelledOrderCount), Is.EqualTo((0, 0m, 1, 1)), $"store {row.StoreId}");
            Assert.That(row.FirstOrderOnUtc, Is.Null);
        }

        //the other customer was never looked at
        Assert.That(await Repository<CustomerOrderStatistics>().Table.Where(row => row.CustomerId == bob.Id).CountAsync(), Is.Zero);
    }

    [Test]
    public async Task AGuestWhoRegistersEntersAndADeletedCustomerLeaves()
    {
        var guestsRole = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
        var registeredRole = new CustomerRole { Name = "Registered", SystemName = NopCustomerDefaults.RegisteredRoleName, Active = true };
        await Repository<CustomerRole>().InsertAsync([guestsRole, registeredRole], false);
        var ann = await CustomerAsync("ann@example.com", "Acme");
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = guestsRole.Id }, false);
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent((await Repository<Order>().Table.ToListAsync()).Single()));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "guests are left out");
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "guests are left out");

        //nopCommerce registers a guest: the Registered role, then the event
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = registeredRole.Id }, false);
        await PublishAsync<CustomerRegisteredEvent>(Customers, new CustomerRegisteredEvent(ann));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "eligibility changed: segments that do not read the customer too");

        //nopCommerce deletes a customer by marking it deleted and updating it
        ann.Deleted = true;
        await Repository<Customer>().UpdateAsync(ann, false);
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);
    }

    [Test]
    public async Task CustomerChangesMoveTheCustomerAndADeletedCustomerLeavesEverySegment()
    {
        var ann = await CustomerAsync("ann@example.com");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await OrderAsync(ann.Id);
        await RebuildService.RebuildSegmentAsync(buyers);

        ann.Company = "Acme";
        await Repository<Customer>().UpdateAsync(ann);
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }));

        ann.Deleted = true;
        await Repository<Customer>().UpdateAsync(ann);
        await PublishAsync<EntityDeletedEvent<Customer>>(Customers, new EntityDeletedEvent<Customer>(ann));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "eligibility reads the customer: every segment re-evaluates");

        //a new customer: nopCommerce adds his first role right after inserting him, and that event re-evaluates him
        var registered = await SystemRoleAsync(NopCustomerDefaults.RegisteredRoleName);
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var role = new CustomerCustomerRoleMapping { CustomerId = bob.Id, CustomerRoleId = registered.Id };
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(role, false);
        await PublishAsync<EntityInsertedEvent<CustomerCustomerRoleMapping>>(Customers, new EntityInsertedEvent<CustomerCustomerRoleMapping>(role));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { bob.Id }));

        var cid = await CustomerAsync("cid@example.com", "Acme");
        await PublishAsync<CustomerRegisteredEvent>(Customers, new CustomerRegisteredEvent(cid));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { bob.Id, cid.Id }.Order()));
    }

    [Test]
    public async Task ACustomerUpdateReevaluatesTheSegmentsThatReadTheCustomerAndThoseItsEligibilityConcerns()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var wishers = await SegmentAsync("Wishlist", Json(WishlistNotEmpty()));
        await OrderAsync(ann.Id, publishEvent: false);
        await OrderAsync(bob.Id, publishEvent: false);
        foreach (var customer in new[] { ann, bob })
        {
            await Repository<ShoppingCartItem>().InsertAsync(new ShoppingCartItem
            {
                CustomerId = customer.Id, ProductId = 1, Quantity = 1, StoreId = 1, ShoppingCartTypeId = (int)ShoppingCartType.Wishlist,
                CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow
            }, false);
        }

        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        Assert.That(await CurrentMemberIdsAsync(wishers.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));

        async Task<int> buildsOfUpdateAsync(Customer customer)
        {
            await Repository<Customer>().UpdateAsync(customer, false);
            Queries.SegmentQueryBuildCount = 0;
            await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(customer));
            return Queries.SegmentQueryBuildCount;
        }

        //an eligible member: only the segment that reads the customer is queried
        ann.Company = "Other";
        Assert.That(await buildsOfUpdateAsync(ann), Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);
        ann.LastActivityDateUtc = DateTime.UtcNow.AddMinutes(1);
        Assert.That(await buildsOfUpdateAsync(ann), Is.EqualTo(1), "activity: nothing else is looked at");

        //deleted: leaves the segments it is in, though they do not read the customer
        bob.Deleted = true;
        Assert.That(await buildsOfUpdateAsync(bob), Is.EqualTo(2), "Acme and the wishlist segment (buyers is decided from bob's statistics)");
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(wishers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await buildsOfUpdateAsync(bob), Is.Zero, "a deleted customer in no segment: no rule can move him");

        //restored (not something nopCommerce does, but another plugin may): in no segment, so every segment looks
        bob.Deleted = false;
        Assert.That(await buildsOfUpdateAsync(bob), Is.EqualTo(2));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        Assert.That(await CurrentMemberIdsAsync(wishers.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));

        //a system account is never a member
        ann.IsSystemAccount = true;
        await buildsOfUpdateAsync(ann);
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { bob.Id }));
        Assert.That(await CurrentMemberIdsAsync(wishers.Id), Is.EqualTo(new[] { bob.Id }));
    }

    [Test]
    public async Task ANewVisitorInsertedAsNopCommerceInsertsGuestsEntersNoSegmentEvenForAnInstant()
    {
        var guestsRole = await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName);
        var active = await SegmentAsync("Active", Json(Active(true)));
        var member = await CustomerAsync("ann@example.com");
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(active.Id), Is.EqualTo(new[] { member.Id }));

        //nopCommerce's InsertGuestCustomerAsync, at a new visitor's first request: the customer first, then his role
        var visitor = await CustomerAsync(null);
        await PublishToConsumersAsync(new EntityInsertedEvent<Customer>(visitor), Customers, Engagement, Orders);
        var guest = new CustomerCustomerRoleMapping { CustomerId = visitor.Id, CustomerRoleId = guestsRole.Id };
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(guest, false);
        await PublishAsync<EntityInsertedEvent<CustomerCustomerRoleMapping>>(Customers, new EntityInsertedEvent<CustomerCustomerRoleMapping>(guest));

        Assert.That(await Repository<SegmentMembership>().Table.CountAsync(row => row.CustomerId == visitor.Id), Is.Zero,
            "no stay opened and closed: the segment's history counts no visitor");
        Assert.That(await CurrentMemberIdsAsync(active.Id), Is.EqualTo(new[] { member.Id }));
    }

    [Test]
    public async Task AGuestsUpdateLooksAtNoSegmentUnlessHeIsInOne()
    {
        var guest = await CustomerInRoleAsync(await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName), "guest@example.com", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await OrderAsync(guest.Id, publishEvent: false);
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "guests are not eligible by default");

        async Task<int> buildsOfUpdateAsync()
        {
            guest.LastActivityDateUtc = guest.LastActivityDateUtc.AddMinutes(1);
            await Repository<Customer>().UpdateAsync(guest, false);
            Queries.SegmentQueryBuildCount = 0;
            await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(guest));
            return Queries.SegmentQueryBuildCount;
        }

        Assert.That(await buildsOfUpdateAsync(), Is.Zero, "no rule can select him and he is in no segment");
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);

        //a stay opened while he could be a member (e.g. before a setting changed): the update closes it
        await Repository<SegmentMembership>().InsertAsync(new SegmentMembership { SegmentId = buyers.Id, CustomerId = guest.Id, EnteredOnUtc = DateTime.UtcNow.AddDays(-1) }, false);
        Assert.That(await buildsOfUpdateAsync(), Is.Positive);
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);
    }

    [Test]
    public async Task AnUpdateDecidesFromTheEligibilityAndMembershipsItReadOnce()
    {
        var ann = await CustomerInRoleAsync(await SystemRoleAsync(NopCustomerDefaults.RegisteredRoleName), "ann@example.com", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }));

        async Task<int> eligibilityBuildsOfUpdateAsync(string company)
        {
            ann.Company = company;
            await Repository<Customer>().UpdateAsync(ann, false);
            Queries.BuildCount = Queries.SegmentQueryBuildCount = Queries.ConditionsBuildCount = 0;
            await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));
            //BuildCount counts the eligibility (an empty rule) and full rule queries; the update builds conditions only
            return Queries.BuildCount - Queries.SegmentQueryBuildCount + Queries.ConditionsBuildCount;
        }

        //a member: his eligibility and stays are read once, before deciding; he leaves as the rule says
        Assert.That(await eligibilityBuildsOfUpdateAsync("Globex"), Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);

        //now eligible and in no segment: evaluated in every segment from the same read; he enters as the rule says
        Assert.That(await eligibilityBuildsOfUpdateAsync("Acme"), Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "no order");
        Assert.That(await RowsAsync(acme.Id), Has.Count.EqualTo(2), "one stay closed, one opened: no duplicate");
    }

    [Test]
    public async Task LosingTheRegisteredRoleMakesAGuestWhoLeavesEverySegment()
    {
        var guestsRole = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
        var registeredRole = new CustomerRole { Name = "Registered", SystemName = NopCustomerDefaults.RegisteredRoleName, Active = true };
        await Repository<CustomerRole>().InsertAsync([guestsRole, registeredRole], false);
        var ann = await CustomerAsync("ann@example.com");
        var registered = new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = registeredRole.Id };
        await Repository<CustomerCustomerRoleMapping>().InsertAsync([registered, new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = guestsRole.Id }], false);
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await OrderAsync(ann.Id, publishEvent: false);
        await RebuildService.RebuildSegmentAsync(buyers);
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));

        await Repository<CustomerCustomerRoleMapping>().DeleteAsync(m => m.CustomerId == ann.Id && m.CustomerRoleId == registeredRole.Id);
        await PublishAsync<EntityDeletedEvent<CustomerCustomerRoleMapping>>(Customers, new EntityDeletedEvent<CustomerCustomerRoleMapping>(registered));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);

        await Repository<CustomerCustomerRoleMapping>().InsertAsync(registered, false);
        await PublishAsync<EntityInsertedEvent<CustomerCustomerRoleMapping>>(Customers, new EntityInsertedEvent<CustomerCustomerRoleMapping>(registered));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
    }

    [Test]
    public async Task LoggingInHandsTheGuestsCartToTheCustomer()
    {
        var guest = await CustomerAsync("guest@example.com");
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Wishlist", Json(WishlistNotEmpty()));
        var item = new ShoppingCartItem { CustomerId = guest.Id, ProductId = 1, Quantity = 1, StoreId = 1, ShoppingCartTypeId = (int)ShoppingCartType.Wishlist, CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow };
        await Repository<ShoppingCartItem>().InsertAsync(item);
        await PublishAsync<EntityInsertedEvent<ShoppingCartItem>>(Engagement, new EntityInsertedEvent<ShoppingCartItem>(item));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { guest.Id }));

        item.CustomerId = ann.Id;
        await Repository<ShoppingCartItem>().UpdateAsync(item);
        await PublishAsync<CustomerLoggedinEvent>(Customers, new CustomerLoggedinEvent(ann, guest));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        await Repository<ShoppingCartItem>().DeleteAsync(item);
        await PublishAsync<EntityDeletedEvent<ShoppingCartItem>>(Engagement, new EntityDeletedEvent<ShoppingCartItem>(item));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task RoleChangesMoveTheCustomer()
    {
        var ann = await CustomerAsync("ann@example.com");
        var role = await SystemRoleAsync("VIP");
        var segment = await SegmentAsync("VIP", Json(HasRole(role.Id)));
        var mapping = new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = role.Id };

        await Repository<CustomerCustomerRoleMapping>().InsertAsync(mapping);
        await PublishAsync<EntityInsertedEvent<CustomerCustomerRoleMapping>>(Customers, new EntityInsertedEvent<CustomerCustomerRoleMapping>(mapping));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        await Repository<CustomerCustomerRoleMapping>().DeleteAsync(m => m.CustomerId == ann.Id);
        await PublishAsync<EntityDeletedEvent<CustomerCustomerRoleMapping>>(Customers, new EntityDeletedEvent<CustomerCustomerRoleMapping>(mapping));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task AddressChangesMoveTheCustomersOfTheAddress()
    {
        var ann = await CustomerAsync("ann@example.com");
        var elsewhere = await CountryAsync("FR");
        var country = await CountryAsync("DE");
        var segment = await SegmentAsync("Germany", Json(BillingCountry(country.Id)));
        var address = new Address { CountryId = elsewhere.Id, CreatedOnUtc = DateTime.UtcNow };
        await Repository<Address>().InsertAsync(address);
        ann.BillingAddressId = address.Id;
        await Repository<Customer>().UpdateAsync(ann);
        var mapping = new CustomerAddressMapping { CustomerId = ann.Id, AddressId = address.Id };
        await Repository<CustomerAddressMapping>().InsertAsync(mapping);
        await PublishAsync<EntityInsertedEvent<CustomerAddressMapping>>(Addresses, new EntityInsertedEvent<CustomerAddressMapping>(mapping));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);

        address.CountryId = country.Id;
        await Repository<Address>().UpdateAsync(address);
        await PublishAsync<EntityUpdatedEvent<Address>>(Addresses, new EntityUpdatedEvent<Address>(address));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        await Repository<Address>().DeleteAsync(address);
        await PublishAsync<EntityDeletedEvent<Address>>(Addresses, new EntityDeletedEvent<Address>(address));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task ANewAddressMovesItsCustomerWhenHeIsGivenIt()
    {
        var ann = await CustomerAsync("ann@example.com");
        var country = await CountryAsync("DE");
        var segment = await SegmentAsync("Germany", Json(BillingCountry(country.Id)));
        var address = new Address { CountryId = country.Id, CreatedOnUtc = DateTime.UtcNow };
        await Repository<Address>().InsertAsync(address);
        await PublishToConsumersAsync(new EntityInsertedEvent<Address>(address), Addresses, Customers);
        Assert.That(Addresses, Is.Not.InstanceOf<IConsumer<EntityInsertedEvent<Address>>>(), "a new address belongs to no customer yet");
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);

        //as a checkout gives a customer his new billing address: in his address book, then as his billing address
        var mapping = new CustomerAddressMapping { CustomerId = ann.Id, AddressId = address.Id };
        await Repository<CustomerAddressMapping>().InsertAsync(mapping);
        await PublishAsync<EntityInsertedEvent<CustomerAddressMapping>>(Addresses, new EntityInsertedEvent<CustomerAddressMapping>(mapping));
        ann.BillingAddressId = address.Id;
        await Repository<Customer>().UpdateAsync(ann);
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));
    }

    [Test]
    public async Task NewsletterSubscriptionsMoveTheCustomerWithThatEmail()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Subscribers", Json(Subscribed()));
        var subscription = new NewsLetterSubscription { Email = ann.Email, Active = true, NewsLetterSubscriptionGuid = Guid.NewGuid(), CreatedOnUtc = DateTime.UtcNow };

        await Repository<NewsLetterSubscription>().InsertAsync(subscription);
        await PublishAsync<EntityInsertedEvent<NewsLetterSubscription>>(Engagement, new EntityInsertedEvent<NewsLetterSubscription>(subscription));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        subscription.Active = false;
        await Repository<NewsLetterSubscription>().UpdateAsync(subscription);
        await PublishAsync<EntityUpdatedEvent<NewsLetterSubscription>>(Engagement, new EntityUpdatedEvent<NewsLetterSubscription>(subscription));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task ASubscriptionWhoseEmailChangesTakesItsFormerSubscriberOut()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        var segment = await SegmentAsync("Subscribers", Json(Subscribed()));
        var subscription = new NewsLetterSubscription { Email = ann.Email, Active = true, NewsLetterSubscriptionGuid = Guid.NewGuid(), CreatedOnUtc = DateTime.UtcNow };
        await Repository<NewsLetterSubscription>().InsertAsync(subscription);
        await PublishAsync<EntityInsertedEvent<NewsLetterSubscription>>(Engagement, new EntityInsertedEvent<NewsLetterSubscription>(subscription));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        //an admin corrects the email (nopCommerce's UpdateNewsLetterSubscriptionAsync): the entity's event carries the new
        //email, then an unsubscribe is announced for the subscription as it was
        var original = new NewsLetterSubscription { Id = subscription.Id, Email = subscription.Email, Active = true, NewsLetterSubscriptionGuid = subscription.NewsLetterSubscriptionGuid, CreatedOnUtc = subscription.CreatedOnUtc };
        subscription.Email = bob.Email;
        await Repository<NewsLetterSubscription>().UpdateAsync(subscription);
        await PublishToConsumersAsync(new EntityUpdatedEvent<NewsLetterSubscription>(subscription), Engagement, Customers);
        await PublishToConsumersAsync(new EmailUnsubscribedEvent(original), Engagement, Customers);

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { bob.Id }));
    }

    [Test]
    public async Task CustomerGenericAttributesMoveTheCustomerAndOtherKeyGroupsAreIgnored()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Tier gold", Json(GenericAttribute("Tier", "gold")));
        var attribute = new GenericAttribute { EntityId = ann.Id, KeyGroup = nameof(Customer), Key = "Tier", Value = "gold", StoreId = 0 };

        await Repository<GenericAttribute>().InsertAsync(attribute);
        await PublishAsync<EntityInsertedEvent<GenericAttribute>>(Engagement, new EntityInsertedEvent<GenericAttribute>(attribute));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        Queries.BuildCount = 0;
        var productAttribute = new GenericAttribute { EntityId = ann.Id, KeyGroup = "Product", Key = "Tier", Value = "gold" };
        await PublishAsync<EntityUpdatedEvent<GenericAttribute>>(Engagement, new EntityUpdatedEvent<GenericAttribute>(productAttribute));
        Assert.That(Queries.BuildCount, Is.Zero);

        await Repository<GenericAttribute>().DeleteAsync(attribute);
        await PublishAsync<EntityDeletedEvent<GenericAttribute>>(Engagement, new EntityDeletedEvent<GenericAttribute>(attribute));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task AConsumerThatFailsLogsAndLetsTheShopGoOn()
    {
        var reevaluation = new Mock<ISegmentReevaluationService>();
        reevaluation.Setup(service => service.ReevaluateCustomersAsync(It.IsAny<IList<int>>(), It.IsAny<RuleDataSources>()))
            .ThrowsAsync(new InvalidOperationException("database is down"));
        reevaluation.Setup(service => service.ReevaluateOrderCustomerAsync(It.IsAny<Order>()))
            .ThrowsAsync(new InvalidOperationException("database is down"));
        var logger = new Mock<ILogger>();
        var consumer = new OrderEventConsumer(new CustomerSegmentsSettings(), logger.Object, PendingCustomers, reevaluation.Object, OutsideRequest);

        var order = new Order { Id = 9, CustomerId = 5 };
        Assert.DoesNotThrowAsync(() => consumer.HandleEventAsync(new OrderPlacedEvent(order)));
        logger.Verify(log => log.ErrorAsync(It.Is<string>(message => message.Contains(nameof(OrderPlacedEvent))),
            It.Is<Exception>(exception => exception.Message == "database is down"), null), Times.Once);
        reevaluation.Verify(service => service.ReevaluateOrderCustomerAsync(order), Times.Once);

        //a deleted order fails the same way
        Assert.DoesNotThrowAsync(() => consumer.HandleEventAsync(new EntityDeletedEvent<Order>(order)));
        logger.Verify(log => log.ErrorAsync(It.Is<string>(message => message.Contains("order deleted")),
            It.Is<Exception>(exception => exception.Message == "database is down"), null), Times.Once);
        reevaluation.Verify(service => service.ReevaluateCustomersAsync(It.Is<IList<int>>(ids => ids.SequenceEqual(new[] { 5 })), RuleDataSources.Orders), Times.Once);

        //even when the log fails too
        logger.Setup(log => log.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>())).ThrowsAsync(new IOException("log table locked"));
        Assert.DoesNotThrowAsync(() => consumer.HandleEventAsync(new OrderPaidEvent(new Order { CustomerId = 5 })));

        //a lookup that fails inside the consumer is caught as well
        var addresses = new AddressEventConsumer(logger.Object, PendingCustomers, reevaluation.Object, null, null);
        Assert.DoesNotThrowAsync(() => addresses.HandleEventAsync(new EntityUpdatedEvent<Address>(new Address { Id = 3 })));
    }

    [Test]
    public async Task ACustomerWhoseReevaluationThrowsIsQueuedForTheScheduledTask()
    {
        //a re-evaluation that stopped half-way may have written part of his order figures, which a full rebuild reads as they are
        var reevaluation = new Mock<ISegmentReevaluationService>();
        reevaluation.Setup(service => service.ReevaluateOrderCustomerAsync(It.IsAny<Order>())).ThrowsAsync(new TimeoutException("lock wait timeout"));
        reevaluation.Setup(service => service.ReevaluateCustomersAsync(It.IsAny<IList<int>>(), It.IsAny<RuleDataSources>()))
            .ThrowsAsync(new TimeoutException("lock wait timeout"));
        var orders = new OrderEventConsumer(new CustomerSegmentsSettings(), Logger.Object, PendingCustomers, reevaluation.Object, OutsideRequest);
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");

        //the order's own re-evaluation, and a deleted order's (re-evaluated as a change of all his orders)
        await orders.HandleEventAsync(new OrderPaidEvent(new Order { Id = 9, CustomerId = ann.Id }));
        await orders.HandleEventAsync(new EntityDeletedEvent<Order>(new Order { Id = 10, CustomerId = bob.Id }));

        var queued = await Repository<SegmentPendingCustomer>().Table.OrderBy(pending => pending.CustomerId).ToListAsync();
        Assert.That(queued.Select(pending => (pending.CustomerId, (RuleDataSources)pending.DataSourcesId)),
            Is.EqualTo(new[] { (ann.Id, RuleDataSources.Orders), (bob.Id, RuleDataSources.Orders) }));

        //when queueing fails too, both failures reach the log
        var pending = new Mock<ISegmentPendingCustomerService>();
        pending.Setup(service => service.QueueAsync(It.IsAny<IList<int>>(), It.IsAny<RuleDataSources>(), null)).ThrowsAsync(new IOException("connection lost"));
        var logger = new Mock<ILogger>();
        var failing = new OrderEventConsumer(new CustomerSegmentsSettings(), logger.Object, pending.Object, reevaluation.Object, OutsideRequest);
        Assert.DoesNotThrowAsync(() => failing.HandleEventAsync(new OrderPaidEvent(new Order { Id = 11, CustomerId = ann.Id })));
        logger.Verify(log => log.ErrorAsync(It.IsAny<string>(),
            It.Is<AggregateException>(exception => exception.InnerExceptions.Select(inner => inner.Message).SequenceEqual(new[] { "lock wait timeout", "connection lost" })), null), Times.Once);
    }
}
