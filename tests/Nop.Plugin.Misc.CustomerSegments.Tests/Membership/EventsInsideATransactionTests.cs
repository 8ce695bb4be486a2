using System.Transactions;
using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// Events announced inside a transaction of the caller queue their customers for the scheduled rebuild: nopCommerce's
/// bulk inserts and deletes (IRepository's list overloads) publish their entity events after completing their
/// transaction scope and before it commits, and a plugin may publish inside its own transaction
/// </summary>
public class EventsInsideATransactionTests : MembershipTestBase
{
    public EventsInsideATransactionTests(DatabaseEngine engine) : base(engine)
    {
    }

    [TearDown]
    public void StopConsuming() => Shop.OnEntityEvent = null;

    /// <summary>
    /// Hands the repositories' events of one kind and entity type to a consumer, as nopCommerce's publisher would
    /// </summary>
    private void Consume<TEntity>(EntityEventKind kind, Func<TEntity, Task> handleAsync) =>
        Shop.OnEntityEvent = entityEvent => entityEvent.Kind == kind && entityEvent.Entity is TEntity entity ? handleAsync(entity) : Task.CompletedTask;

    private async Task<List<(int CustomerId, RuleDataSources Changed)>> QueuedAsync() =>
        (await Repository<SegmentPendingCustomer>().GetAllAsync(query => query.OrderBy(pending => pending.Id)))
        .Select(pending => (pending.CustomerId, (RuleDataSources)pending.DataSourcesId))
        .ToList();

    private void VerifyNothingFailed()
    {
        Logger.Verify(log => log.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()), Times.Never);
        Logger.Verify(log => log.Error(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()), Times.Never);
    }

    [Test]
    public async Task OrdersInsertedInBulkQueueTheirCustomersUntilTheScheduledRunReevaluatesThem()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        Consume<Order>(EntityEventKind.Inserted, order => Orders.HandleEventAsync(new EntityInsertedEvent<Order>(order)));

        await Repository<Order>().InsertAsync([NewOrder(ann.Id), NewOrder(bob.Id), NewOrder(bob.Id)]);

        VerifyNothingFailed();
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "not re-evaluated inside the transaction");
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Orders), (bob.Id, RuleDataSources.Orders), (bob.Id, RuleDataSources.Orders) }));

        Assert.That(await PendingCustomers.ProcessAsync(), Is.EqualTo(3));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EquivalentTo(new[] { ann.Id, bob.Id }));
        Assert.That(await QueuedAsync(), Is.Empty);
        Assert.That(await PendingCustomers.CountAsync(), Is.Zero);
        Assert.That(await PendingCustomers.ProcessAsync(), Is.Zero, "nothing left");
    }

    [Test]
    public async Task AnOrderEventOutsideABulkWriteIsNotQueued()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        Consume<Order>(EntityEventKind.Inserted, order => Orders.HandleEventAsync(new EntityInsertedEvent<Order>(order)));

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
        Consume<GenericAttribute>(EntityEventKind.Deleted, attribute => Engagement.HandleEventAsync(new EntityDeletedEvent<GenericAttribute>(attribute)));

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
        Assert.That(await PendingCustomers.CountAsync(), Is.EqualTo(2));

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
    public async Task ProcessingStopsAfterABatchWhenTheCallerSaysSo()
    {
        var batch = CustomerSegmentsDefaults.PendingCustomerBatchSize;
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        for (var i = 0; i <= batch; i++)
            await PendingCustomers.QueueAsync([ann.Id], RuleDataSources.Customer);
        var asked = 0;

        var processed = await PendingCustomers.ProcessAsync(() => Task.FromResult(++asked > 1));

        Assert.That(processed, Is.EqualTo(batch));
        Assert.That(asked, Is.EqualTo(1));
        Assert.That(await QueuedAsync(), Has.Count.EqualTo(1), "the rest waits for the next run");
    }

    /// <summary>
    /// The plugin's re-evaluation, except that re-evaluating any of the customers given fails
    /// </summary>
    private Services.ISegmentReevaluationService FailingFor(params int[] customerIds)
    {
        var reevaluation = new Mock<Services.ISegmentReevaluationService>();
        reevaluation.Setup(service => service.ReevaluateCustomersAsync(It.IsAny<IList<int>>(), It.IsAny<RuleDataSources>()))
            .Returns((IList<int> ids, RuleDataSources changed) => ids.Intersect(customerIds).Any()
                ? throw new InvalidOperationException("this customer's data cannot be read")
                : ReevaluationService.ReevaluateCustomersAsync(ids, changed));
        return reevaluation.Object;
    }

    [Test]
    public async Task AQueuedCustomerWhoseReevaluationFailsStaysQueued()
    {
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        await PendingCustomers.QueueAsync([ann.Id], RuleDataSources.Customer);

        var failure = Assert.ThrowsAsync<Services.SegmentPendingCustomersException>(() => NewPendingCustomerService(FailingFor(ann.Id)).ProcessAsync());

        Assert.That(failure.CustomerIds, Is.EqualTo(new[] { ann.Id }));
        Assert.That(failure.Processed, Is.Zero);
        Assert.That(failure.InnerException, Is.InstanceOf<InvalidOperationException>());
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Customer) }));
    }

    [Test]
    public async Task ACustomerWhoseReevaluationFailsHoldsBackNoOther()
    {
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        var bob = await CustomerAsync("bob@example.com", company: "Acme");
        var cara = await CustomerAsync("cara@example.com", company: "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await Repository<SegmentMembership>().DeleteAsync(membership => true);
        //ann's changes fill the first batch: the others come after it
        for (var i = 0; i <= CustomerSegmentsDefaults.PendingCustomerBatchSize; i++)
            await PendingCustomers.QueueAsync([ann.Id], RuleDataSources.Customer);
        await PendingCustomers.QueueAsync([bob.Id, cara.Id, ann.Id], RuleDataSources.Customer);

        var failure = Assert.ThrowsAsync<Services.SegmentPendingCustomersException>(() => NewPendingCustomerService(FailingFor(ann.Id)).ProcessAsync());

        Assert.That(failure.CustomerIds, Is.EqualTo(new[] { ann.Id }));
        Assert.That(failure.Processed, Is.EqualTo(2));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EquivalentTo(new[] { bob.Id, cara.Id }));
        Assert.That((await QueuedAsync()).Select(queued => queued.CustomerId).Distinct(), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await PendingCustomers.CountAsync(), Is.EqualTo(CustomerSegmentsDefaults.PendingCustomerBatchSize + 2));
    }

    [Test]
    public async Task WhenTheCustomersOfABatchFailTogetherEachIsTriedAlone()
    {
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        var bob = await CustomerAsync("bob@example.com", company: "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await Repository<SegmentMembership>().DeleteAsync(membership => true);
        await PendingCustomers.QueueAsync([ann.Id, bob.Id], RuleDataSources.Customer);

        var failure = Assert.ThrowsAsync<Services.SegmentPendingCustomersException>(() => NewPendingCustomerService(FailingFor(ann.Id)).ProcessAsync());

        Assert.That(failure.CustomerIds, Is.EqualTo(new[] { ann.Id }));
        Assert.That(failure.Processed, Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { bob.Id }));
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Customer) }));
    }

    [Test]
    public async Task ACustomerDeletedInBulkIsQueuedAndLeavesHisSegmentsAtTheScheduledRun()
    {
        var ann = await CustomerAsync("ann@example.com", company: "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        Consume<Customer>(EntityEventKind.Deleted, customer => Customers.HandleEventAsync(new EntityDeletedEvent<Customer>(customer)));

        await Repository<Customer>().DeleteAsync([ann]);

        VerifyNothingFailed();
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Customer) }));
        await PendingCustomers.ProcessAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "a deleted customer leaves");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AnOrderPlacedInsideACallersTransactionIsQueuedAndCountsOnceCommitted()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            //a plugin's own transaction: the order, and the event, before it commits
            var order = await OrderAsync(ann.Id, publishEvent: false);
            await PublishAsync(Orders, new OrderPlacedEvent(order));
            scope.Complete();
        }

        VerifyNothingFailed();
        //queued by the event, and again once the transaction committed
        Assert.That(await QueuedAsync(), Is.EqualTo(new[] { (ann.Id, RuleDataSources.Orders), (ann.Id, RuleDataSources.Orders) }));
        Assert.That(await PendingCustomers.ProcessAsync(), Is.EqualTo(2));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await QueuedAsync(), Is.Empty);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AnOrderOfACallersTransactionRolledBackCountsForNothing()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));

        using (new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            var order = await OrderAsync(ann.Id, publishEvent: false);
            await PublishAsync(Orders, new OrderPlacedEvent(order));
        }

        VerifyNothingFailed();
        Assert.That(await QueuedAsync(), Has.Count.EqualTo(1), "the queue's row commits by itself");
        await PendingCustomers.ProcessAsync();
        //Microsoft.Data.Sqlite does not join an ambient transaction: there the order was written at once and stays
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Engine == DatabaseEngine.Sqlite ? Is.EqualTo(new[] { ann.Id }) : Is.Empty);
        Assert.That(await QueuedAsync(), Is.Empty);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task OrdersInTwoStoresInsideOneCallersTransactionNeitherWaitForItNorMiscount()
    {
        var ann = await CustomerAsync("ann@example.com");
        var threeOrders = await SegmentAsync("Three orders", Json(OrdersAtLeast(3)));
        //her statistics rows exist (store 1, all stores)
        await PublishAsync(Orders, new OrderPlacedEvent(await OrderAsync(ann.Id, publishEvent: false)));

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await PublishAsync(Orders, new OrderPlacedEvent(await OrderAsync(ann.Id, publishEvent: false)));
            var inOtherStore = NewOrder(ann.Id);
            inOtherStore.StoreId = 2;
            await Repository<Order>().InsertAsync(inOtherStore, false);
            await PublishAsync(Orders, new OrderPlacedEvent(inOtherStore));
            scope.Complete();
        }

        VerifyNothingFailed();
        Assert.That(await CurrentMemberIdsAsync(threeOrders.Id), Is.Empty, "left to the scheduled run");
        await PendingCustomers.ProcessAsync();
        Assert.That(await CurrentMemberIdsAsync(threeOrders.Id), Is.EqualTo(new[] { ann.Id }));
        var statistics = await Repository<CustomerOrderStatistics>().Table.Where(row => row.CustomerId == ann.Id).ToListAsync();
        Assert.That(statistics.Select(row => (row.StoreId, row.OrderCount)).OrderBy(row => row.StoreId),
            Is.EqualTo(new[] { (0, 3), (1, 2), (2, 1) }));
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task AChangeQueuedInsideACallersTransactionIsNotLostWhenTheScheduledRunComesBeforeTheCommit()
    {
        //Microsoft.Data.Sqlite does not join an ambient transaction: there the order is committed at once
        if (Engine == DatabaseEngine.Sqlite)
            Assert.Ignore("needs a database that joins the caller's transaction");

        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            //a plugin's own transaction (or nopCommerce's bulk insert still publishing its events): the order and its event
            var order = await OrderAsync(ann.Id, publishEvent: false);
            await PublishAsync(Orders, new OrderPlacedEvent(order));

            //meanwhile the scheduled task runs on another instance, outside this transaction
            await Task.Run(async () =>
            {
                using var elsewhere = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled);
                await PendingCustomers.ProcessAsync();
                elsewhere.Complete();
            });

            scope.Complete();
        }

        //the next scheduled run
        await PendingCustomers.ProcessAsync();

        VerifyNothingFailed();
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }),
            $"the committed order was never counted; customers still queued: {(await QueuedAsync()).Count}");
    }
}
