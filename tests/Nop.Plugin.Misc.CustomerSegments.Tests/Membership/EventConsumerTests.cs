using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Events;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.TestRuleEngine;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The plugin's consumers receive nopCommerce's own event types and move customers in and out
/// </summary>
public class EventConsumerTests : MembershipTestBase
{
    public EventConsumerTests(DatabaseEngine engine) : base(engine)
    {
    }

    private OrderEventConsumer Orders => new(Logger.Object, RebuildService);

    private CustomerEventConsumer Customers => new(Logger.Object, RebuildService);

    private AddressEventConsumer Addresses => new(Logger.Object, RebuildService, Repository<Customer>(), Repository<CustomerAddressMapping>());

    private EngagementEventConsumer Engagement => new(Logger.Object, RebuildService, Repository<Customer>());

    private static Task PublishAsync<T>(IConsumer<T> consumer, T eventMessage) => consumer.HandleEventAsync(eventMessage);

    [Test]
    public async Task EachOrderEventMovesTheCustomerInAndOut()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Buyers", Json((OrderCount, 1)));
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
    public async Task CustomerChangesMoveTheCustomerAndADeletedCustomerLeavesEverySegment()
    {
        var ann = await CustomerAsync("ann@example.com");
        var acme = await SegmentAsync("Acme", Json((Company, "Acme")));
        var buyers = await SegmentAsync("Buyers", Json((OrderCount, 1)));
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

        var bob = await CustomerAsync("bob@example.com", "Acme");
        await PublishAsync<EntityInsertedEvent<Customer>>(Customers, new EntityInsertedEvent<Customer>(bob));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { bob.Id }));

        var cid = await CustomerAsync("cid@example.com", "Acme");
        await PublishAsync<CustomerRegisteredEvent>(Customers, new CustomerRegisteredEvent(cid));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { bob.Id, cid.Id }.Order()));
    }

    [Test]
    public async Task LoggingInHandsTheGuestsCartToTheCustomer()
    {
        var guest = await CustomerAsync("guest@example.com");
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Cart", Json((CartItems, 1)));
        var item = new ShoppingCartItem { CustomerId = guest.Id, ProductId = 1, Quantity = 1, StoreId = 1, ShoppingCartTypeId = 1, CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow };
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
        var segment = await SegmentAsync("Role 7", Json((Role, 7)));
        var mapping = new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = 7 };

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
        var segment = await SegmentAsync("Country 3", Json((BillingCountry, 3)));
        var address = new Address { CountryId = 1, CreatedOnUtc = DateTime.UtcNow };
        await Repository<Address>().InsertAsync(address);
        ann.BillingAddressId = address.Id;
        await Repository<Customer>().UpdateAsync(ann);
        var mapping = new CustomerAddressMapping { CustomerId = ann.Id, AddressId = address.Id };
        await Repository<CustomerAddressMapping>().InsertAsync(mapping);
        await PublishAsync<EntityInsertedEvent<CustomerAddressMapping>>(Addresses, new EntityInsertedEvent<CustomerAddressMapping>(mapping));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);

        address.CountryId = 3;
        await Repository<Address>().UpdateAsync(address);
        await PublishAsync<EntityUpdatedEvent<Address>>(Addresses, new EntityUpdatedEvent<Address>(address));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        await Repository<Address>().DeleteAsync(address);
        await PublishAsync<EntityDeletedEvent<Address>>(Addresses, new EntityDeletedEvent<Address>(address));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task NewsletterSubscriptionsMoveTheCustomerWithThatEmail()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Subscribers", Json((Newsletter, true)));
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
    public async Task CustomerGenericAttributesMoveTheCustomerAndOtherKeyGroupsAreIgnored()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Tier gold", Json((TestRuleEngine.Attribute, "gold", "Tier")));
        var attribute = new GenericAttribute { EntityId = ann.Id, KeyGroup = nameof(Customer), Key = "Tier", Value = "gold", StoreId = 0 };

        await Repository<GenericAttribute>().InsertAsync(attribute);
        await PublishAsync<EntityInsertedEvent<GenericAttribute>>(Engagement, new EntityInsertedEvent<GenericAttribute>(attribute));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        Rules.BuildCount = 0;
        var productAttribute = new GenericAttribute { EntityId = ann.Id, KeyGroup = "Product", Key = "Tier", Value = "gold" };
        await PublishAsync<EntityUpdatedEvent<GenericAttribute>>(Engagement, new EntityUpdatedEvent<GenericAttribute>(productAttribute));
        Assert.That(Rules.BuildCount, Is.Zero);

        await Repository<GenericAttribute>().DeleteAsync(attribute);
        await PublishAsync<EntityDeletedEvent<GenericAttribute>>(Engagement, new EntityDeletedEvent<GenericAttribute>(attribute));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task AConsumerThatFailsLogsAndLetsTheShopGoOn()
    {
        var rebuild = new Mock<ISegmentRebuildService>();
        rebuild.Setup(service => service.ReevaluateCustomersAsync(It.IsAny<IList<int>>(), It.IsAny<RuleDataSources>()))
            .ThrowsAsync(new InvalidOperationException("database is down"));
        var logger = new Mock<ILogger>();
        var consumer = new OrderEventConsumer(logger.Object, rebuild.Object);

        Assert.DoesNotThrowAsync(() => consumer.HandleEventAsync(new OrderPlacedEvent(new Order { CustomerId = 5 })));
        logger.Verify(log => log.ErrorAsync(It.Is<string>(message => message.Contains(nameof(OrderPlacedEvent))),
            It.Is<Exception>(exception => exception.Message == "database is down"), null), Times.Once);
        rebuild.Verify(service => service.ReevaluateCustomersAsync(It.Is<IList<int>>(ids => ids.SequenceEqual(new[] { 5 })), RuleDataSources.Orders), Times.Once);

        //even when the log fails too
        logger.Setup(log => log.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>())).ThrowsAsync(new IOException("log table locked"));
        Assert.DoesNotThrowAsync(() => consumer.HandleEventAsync(new OrderPaidEvent(new Order { CustomerId = 5 })));

        //a lookup that fails inside the consumer is caught as well
        var addresses = new AddressEventConsumer(logger.Object, rebuild.Object, null, null);
        Assert.DoesNotThrowAsync(() => addresses.HandleEventAsync(new EntityUpdatedEvent<Address>(new Address { Id = 3 })));
    }
}
