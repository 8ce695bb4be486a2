using LinqToDB;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// A refresh of all the order figures runs for minutes in a large shop: the full recompute (after the install or a change
/// of the settings they depend on) and the scheduled refresh in place. An order event in the meantime must not wait for it.
/// </summary>
public class OrderEventsDuringAStatisticsRefreshTests : MembershipTestBase
{
    public OrderEventsDuringAStatisticsRefreshTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// The plugin's statistics service, whose refresh of all customers stops once it has ranked the RFM scores (every
    /// customer's figures written by then) until released
    /// </summary>
    private sealed class PausedRefreshService(CustomerSegmentsSettings settings, TestShop shop)
        : CustomerOrderStatisticsService(settings, shop.DataProvider, new Mock<ISettingService>().Object, shop.Repository<Customer>(),
            shop.Repository<CustomerCustomerRoleMapping>(), shop.Repository<CustomerRole>(), shop.Repository<Order>(),
            shop.Repository<CustomerOrderStatistics>(), new SegmentMembershipTransaction(shop.Repository<Segment>()),
            shop.NewDailyPurchasesService(settings), shop.NewPurchasedProductService(settings))
    {
        private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Paused => _paused.Task;

        public void Release() => _released.TrySetResult();

        protected override async Task<int> RankAsync()
        {
            var ranked = await base.RankAsync();
            _paused.TrySetResult();
            await _released.Task;

            return ranked;
        }
    }

    /// <summary>
    /// Starts the refresh and, once it has paused, places an order for the customer and publishes its event, which
    /// must finish while the refresh stays paused; then lets the refresh end
    /// </summary>
    private async Task PlaceOrderWhilePausedAsync(PausedRefreshService refreshing, Func<Task> refreshAsync, int customerId,
        OrderEventConsumer consumer, string eventDoesNotWait)
    {
        var refresh = refreshAsync();
        Task placed = null;
        try
        {
            Assert.That(await Task.WhenAny(refreshing.Paused, refresh, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(refreshing.Paused),
                "the refresh reaches its pause");
            var order = await OrderAsync(customerId, publishEvent: false);
            placed = PublishAsync(consumer, new OrderPlacedEvent(order));

            Assert.That(await Task.WhenAny(placed, Task.Delay(TimeSpan.FromSeconds(20))), Is.SameAs(placed), eventDoesNotWait);
        }
        finally
        {
            refreshing.Release();
        }

        await placed;
        await refresh;
    }

    [Test]
    public async Task AnOrderPlacedWhileTheStatisticsAreRecomputedIsQueuedRatherThanWaitingAndTheTaskReevaluatesItsCustomer()
    {
        if (Engine == DatabaseEngine.Sqlite)
            Assert.Ignore("SQLite (tests only) has one writer at a time: queueing the customer waits for the recompute's transaction too");

        //one settings object, as nopCommerce's container shares it
        var settings = new CustomerSegmentsSettings();
        var queries = NewQueryBuilder(settings);
        var rebuild = NewRebuildService(queries, settings: settings);
        var reevaluation = NewReevaluationService(queries, settings: settings);
        var pending = NewPendingCustomerService(reevaluation);
        var ann = await CustomerAsync("ann@example.com");
        var repeatBuyers = await SegmentAsync("Repeat buyers", Json(OrdersAtLeast(2)));
        await OrderAsync(ann.Id, publishEvent: false);
        await rebuild.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(repeatBuyers.Id), Is.Empty, "one order");

        var recomputing = new PausedRefreshService(settings, Shop);
        await PlaceOrderWhilePausedAsync(recomputing, () => recomputing.RecomputeAllAsync(DateTime.UtcNow), ann.Id,
            new OrderEventConsumer(settings, Logger.Object, pending, reevaluation, OutsideRequest), "the checkout's event does not wait for the recompute");
        Assert.That(await pending.CountAsync(), Is.EqualTo(1), "ann queued for the scheduled task");

        Assert.That(await pending.ProcessAsync(), Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(repeatBuyers.Id), Is.EqualTo(new[] { ann.Id }), "her second order counted");
        Logger.Verify(logger => logger.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), null), Times.Never);
    }

    [Test]
    public async Task AnOrderPlacedWhileTheStatisticsAreRefreshedInPlaceDoesNotWaitForTheRefresh()
    {
        var settings = new CustomerSegmentsSettings();
        var queries = NewQueryBuilder(settings);
        var reevaluation = NewReevaluationService(queries, settings: settings);
        var ann = await CustomerAsync("ann@example.com");
        var repeatBuyers = await SegmentAsync("Repeat buyers", Json(OrdersAtLeast(2)));
        await OrderAsync(ann.Id, publishEvent: false);
        var refreshing = new PausedRefreshService(settings, Shop);
        refreshing.Release();
        await refreshing.RefreshAllAsync(DateTime.UtcNow);
        Assert.That(refreshing.AreCurrent(), Is.True, "the figures recomputed once, the next refresh works in place");

        //an order no event told of: the refresh in place rewrites ann's rows
        await OrderAsync(ann.Id, publishEvent: false);
        refreshing = new PausedRefreshService(settings, Shop);
        await PlaceOrderWhilePausedAsync(refreshing, () => refreshing.RefreshAllAsync(DateTime.UtcNow), ann.Id,
            new OrderEventConsumer(settings, Logger.Object, PendingCustomers, reevaluation, OutsideRequest), "the checkout's event does not wait for the rest of the refresh");
        Assert.That(await PendingCustomers.CountAsync(), Is.Zero, "the event re-evaluated ann itself");
        var rows = await Repository<CustomerOrderStatistics>().Table.Where(row => row.CustomerId == ann.Id && row.StoreId == 0).ToListAsync();
        Assert.That(rows.Select(row => row.OrderCount), Is.EqualTo(new[] { 3 }), "the refresh's figures and the event's both written");
        Assert.That(await CurrentMemberIdsAsync(repeatBuyers.Id), Is.EqualTo(new[] { ann.Id }));
        Logger.Verify(logger => logger.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), null), Times.Never);
    }
}
