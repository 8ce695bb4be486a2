using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// nopCommerce's bulk inserts and deletes (IRepository's list overloads) publish their entity events after completing
/// their transaction scope and before it commits; there the consumers queue the customers for the scheduled rebuild
/// </summary>
public class CompletedTransactionEventTests : MembershipTestBase
{
    public CompletedTransactionEventTests(DatabaseEngine engine) : base(engine)
    {
    }

    private OrderEventConsumer Orders => new(Logger.Object, PendingCustomers, RebuildService);

    private CustomerEventConsumer Customers => new(Logger.Object, PendingCustomers, RebuildService);

    private EngagementEventConsumer Engagement => new(Logger.Object, PendingCustomers, RebuildService, Repository<Customer>());

    [TearDown]
    public void StopConsuming() => Shop.OnEntityEvent = null;

    private async Task<List<(int CustomerId, RuleDataSources Changed)>> QueuedAsync() =>
        (await Repository<SegmentPendingCustomer>().GetAllAsync(query => query.OrderBy(pending => pending.Id)))
        .Select(pending => (pending.CustomerId, (RuleDataSources)pending.DataSourcesId))
        .ToList();

    private void VerifyNothingFailed() =>
        Logger.Verify(log => log.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()), Times.Never);

    [Test]
    public async Task OrdersInsertedInBulkQueueTheirCustomersUntilTheScheduledRunReevaluatesThem()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        Shop.OnEntityEvent = entityEvent => entityEvent is { Kind: EntityEventKind.Inserted, Entity: Order order }
            ? Orders.HandleEventAsync(new EntityInsertedEvent<Order>(order))
            : Task.CompletedTask;

        await Repository<Order>().InsertAsync([NewOrder(ann.Id), NewOrder(bob.Id), NewOrder(bob.Id)]);

        VerifyNothingFailed();
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "not re-evaluated inside the transaction");
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Orders), (bob.Id, RuleDataSources.Orders), (bob.Id, RuleDataSources.Orders) }));

        Assert.That(await PendingCustomers.ProcessAsync(), Is.EqualTo(3));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EquivalentTo(new[] { ann.Id, bob.Id }));
        Assert.That(await QueuedAsync(), Is.Empty);
        Assert.That(await PendingCustomers.ProcessAsync(), Is.Zero, "nothing left");
    }

    [Test]
    public async Task AnOrderEventOutsideABulkWriteIsNotQueued()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        Shop.OnEntityEvent = entityEvent => entityEvent is { Kind: EntityEventKind.Inserted, Entity: Order order }
            ? Orders.HandleEventAsync(new EntityInsertedEvent<Order>(order))
            : Task.CompletedTask;

        await Repository<Order>().InsertAsync(NewOrder(ann.Id));

        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await QueuedAsync(), Is.Empty);
    }

    [Test]
    public async Task AttributesDeletedInBulkAsByTheGdprDeletionQueueTheirCustomer()
    {
        var ann = await CustomerAsync("ann@example.com");
        var gold = await SegmentAsync("Tier gold", Json(GenericAttribute("Tier", "gold")));
        var attributes = new List<GenericAttribute>
        {
            new() { EntityId = ann.Id, KeyGroup = nameof(Customer), Key = "Tier", Value = "gold", StoreId = 0 },
            new() { EntityId = ann.Id, KeyGroup = nameof(Customer), Key = "Newsletter", Value = "weekly", StoreId = 0 }
        };
        await Repository<GenericAttribute>().InsertAsync(attributes, false);
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(gold.Id), Is.EqualTo(new[] { ann.Id }));
        Shop.OnEntityEvent = entityEvent => entityEvent is { Kind: EntityEventKind.Deleted, Entity: GenericAttribute attribute }
            ? Engagement.HandleEventAsync(new EntityDeletedEvent<GenericAttribute>(attribute))
            : Task.CompletedTask;

        await Repository<GenericAttribute>().DeleteAsync(attributes);

        VerifyNothingFailed();
        Assert.That(await CurrentMemberIdsAsync(gold.Id), Is.EqualTo(new[] { ann.Id }), "left to the scheduled run");
        Assert.That((await QueuedAsync()).Distinct(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.GenericAttributes) }));

        await PendingCustomers.ProcessAsync();
        Assert.That(await CurrentMemberIdsAsync(gold.Id), Is.Empty);
    }

    [Test]
    public async Task ACustomersQueuedChangesAreReevaluatedTogether()
    {
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Acme buyers", Json(Company("Acme"), OrdersAtLeast(1)));
        await OrderAsync(ann.Id, publishEvent: false);

        await PendingCustomers.QueueAsync([ann.Id], RuleDataSources.Customer);
        await PendingCustomers.QueueAsync([ann.Id, 0, -1], RuleDataSources.Orders);
        await PendingCustomers.QueueAsync([ann.Id], RuleDataSources.None);
        await PendingCustomers.QueueAsync([], RuleDataSources.Orders);
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Customer), (ann.Id, RuleDataSources.Orders) }),
            "no row for missing customers or changes");

        Assert.That(await PendingCustomers.ProcessAsync(), Is.EqualTo(2));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
    }

    [Test]
    public async Task MoreQueuedCustomersThanABatchAreAllReevaluated()
    {
        var batch = CustomerSegmentsDefaults.PendingCustomerBatchSize;
        var customers = new List<Customer>();
        for (var i = 0; i < 3; i++)
            customers.Add(await CustomerAsync($"c{i}@example.com", company: "Acme"));
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        //the same customers again and again: more rows than a batch
        for (var i = 0; i <= batch / customers.Count; i++)
            await PendingCustomers.QueueAsync(customers.Select(customer => customer.Id).ToList(), RuleDataSources.Customer);

        Assert.That(await PendingCustomers.ProcessAsync(), Is.GreaterThan(batch));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EquivalentTo(customers.Select(customer => customer.Id)));
        Assert.That(await QueuedAsync(), Is.Empty);
    }

    [Test]
    public async Task AQueuedBatchThatFailsStaysQueued()
    {
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        await PendingCustomers.QueueAsync([ann.Id], RuleDataSources.Customer);
        var failing = new Mock<Services.ISegmentRebuildService>();
        failing.Setup(rebuild => rebuild.ReevaluateCustomersAsync(It.IsAny<IList<int>>(), It.IsAny<RuleDataSources>()))
            .ThrowsAsync(new InvalidOperationException("database gone"));

        Assert.ThrowsAsync<InvalidOperationException>(() => NewPendingCustomerService(failing.Object).ProcessAsync());

        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Customer) }));
    }

    [Test]
    public async Task ACustomerDeletedInBulkIsQueuedWithoutReadingTheUncommittedRows()
    {
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        Shop.OnEntityEvent = entityEvent => entityEvent is { Kind: EntityEventKind.Deleted, Entity: Customer customer }
            ? Customers.HandleEventAsync(new EntityDeletedEvent<Customer>(customer))
            : Task.CompletedTask;

        await Repository<Customer>().DeleteAsync([ann]);

        VerifyNothingFailed();
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Customer) }));
        await PendingCustomers.ProcessAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "a deleted customer leaves");
    }
}
