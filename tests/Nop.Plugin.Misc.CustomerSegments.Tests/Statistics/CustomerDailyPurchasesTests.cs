using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Statistics;

/// <summary>
/// The purchases per customer, store and day on real databases: what the full recompute stores, and that the
/// refreshes of one customer, of a list of customers and the in-place refresh of all leave what a recompute would
/// </summary>
public class CustomerDailyPurchasesTests : DatabaseTestBase
{
    private static readonly DateTime Now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);
    private static readonly PaymentStatus[] PaymentStatuses =
        [PaymentStatus.Pending, PaymentStatus.Paid, PaymentStatus.Paid, PaymentStatus.Refunded, PaymentStatus.PartiallyRefunded];
    private static readonly OrderStatus[] OrderStatuses = [OrderStatus.Complete, OrderStatus.Processing, OrderStatus.Cancelled, OrderStatus.Pending];

    public CustomerDailyPurchasesTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public async Task ResetAsync()
    {
        foreach (var clear in new Func<Task>[]
                 {
                     () => Repository<CustomerDailyPurchases>().DeleteAsync(_ => true), () => Repository<CustomerOrderStatistics>().DeleteAsync(_ => true),
                     () => Repository<Order>().DeleteAsync(_ => true), () => Repository<Customer>().DeleteAsync(_ => true)
                 })
            await clear();
    }

    #region Data

    private CustomerOrderStatisticsService Statistics(CustomerSegmentsSettings settings) =>
        Shop.NewOrderStatisticsService(settings, new Mock<ISettingService>().Object);

    private async Task<List<Customer>> CustomersAsync(int count)
    {
        var customers = Enumerable.Range(0, count).Select(_ => new Customer
        {
            CustomerGuid = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@example.com", Active = true,
            CreatedOnUtc = Now.AddYears(-2), LastActivityDateUtc = Now
        }).ToList();
        foreach (var customer in customers)
            await Repository<Customer>().InsertAsync(customer, false);
        return customers;
    }

    /// <summary>
    /// A random order: a store among 0-3, a status, a total in quarters, placed in the last days at a whole second
    /// (near midnight often, so that days split)
    /// </summary>
    private static Order RandomOrder(Random random, int customerId) => new()
    {
        OrderGuid = Guid.NewGuid(), CustomerId = customerId, StoreId = random.Next(4),
        OrderTotal = random.Next(1, 2000) * 0.25m,
        PaymentStatusId = (int)PaymentStatuses[random.Next(PaymentStatuses.Length)],
        OrderStatusId = (int)OrderStatuses[random.Next(OrderStatuses.Length)],
        ShippingStatusId = 10, CreatedOnUtc = RandomMoment(random),
        CustomOrderNumber = Guid.NewGuid().ToString("N")[..10], CustomerCurrencyCode = "USD", CurrencyRate = 1, Deleted = random.Next(10) == 0
    };

    private static DateTime RandomMoment(Random random) => random.Next(3) == 0
        ? Now.Date.AddDays(-random.Next(0, 5)).AddSeconds(random.Next(-2, 2))
        : Now.AddSeconds(-random.Next(0, 6 * 86400));

    /// <summary>
    /// Changes one of the customer's orders the way nopCommerce's events report it, or places a new one
    /// </summary>
    /// <param name="random">Picks the change</param>
    /// <param name="customerId">The customer</param>
    /// <param name="datesChange">Whether an order's date may change (nopCommerce never changes it)</param>
    /// <returns>The order placed or changed; null when deleted</returns>
    private async Task<Order> ChangeRandomOrderAsync(Random random, int customerId, bool datesChange = true)
    {
        var orders = await Repository<Order>().Table.Where(o => o.CustomerId == customerId).OrderBy(o => o.Id).ToListAsync();
        var action = orders.Count == 0 ? 0 : random.Next(9);
        action = action <= 2 ? 0 : action - 1;
        if (action == 6 && !datesChange)
            action = 4;
        if (action <= 1)
        {
            var placed = RandomOrder(random, customerId);
            await Repository<Order>().InsertAsync(placed, false);
            return placed;
        }

        var order = orders[random.Next(orders.Count)];
        switch (action)
        {
            case 2:
                order.PaymentStatusId = (int)PaymentStatuses[random.Next(PaymentStatuses.Length)];
                break;
            case 3:
                order.OrderStatusId = (int)OrderStatuses[random.Next(OrderStatuses.Length)];
                break;
            case 4:
                order.OrderTotal = random.Next(1, 2000) * 0.25m;
                break;
            case 5:
                order.Deleted = !order.Deleted;
                break;
            case 6:
                order.CreatedOnUtc = RandomMoment(random);
                break;
            default:
                await Repository<Order>().DeleteAsync(order, false);
                return null;
        }

        await Repository<Order>().UpdateAsync(order, false);
        return order;
    }

    /// <summary>
    /// The purchases per customer, store and day computed here from the orders as they are in the database
    /// </summary>
    private async Task<Dictionary<(int CustomerId, int StoreId, DateTime Day), (int Count, decimal Total)>> ExpectedAsync(CustomerSegmentsSettings settings)
    {
        var orders = await Repository<Order>().Table.ToListAsync();
        return orders
            .Where(o => !o.Deleted && settings.PurchasePaymentStatusIds.Contains(o.PaymentStatusId) && !settings.ExcludedOrderStatusIds.Contains(o.OrderStatusId))
            .GroupBy(o => (o.CustomerId, o.StoreId, o.CreatedOnUtc.Date))
            .ToDictionary(g => g.Key, g => (g.Count(), g.Sum(o => o.OrderTotal)));
    }

    private async Task<Dictionary<(int CustomerId, int StoreId, DateTime Day), (int Count, decimal Total)>> RowsAsync()
    {
        var rows = await Repository<CustomerDailyPurchases>().Table.ToListAsync();
        Assert.That(rows.Select(r => (r.CustomerId, r.StoreId, r.Day.Date)), Is.Unique, "one row per customer, store and day");
        Assert.That(rows.Select(r => r.Day), Has.All.Matches<DateTime>(day => day.TimeOfDay == TimeSpan.Zero), "days at midnight");
        return rows.ToDictionary(r => (r.CustomerId, r.StoreId, r.Day.Date), r => (r.OrderCount, r.TotalSpent));
    }

    private async Task AssertRowsAreThePurchasesAsync(CustomerSegmentsSettings settings, string when)
    {
        var expected = await ExpectedAsync(settings);
        var rows = await RowsAsync();
        Assert.That(rows, Is.EquivalentTo(expected), when);
    }

    #endregion

    [Test]
    public async Task TheRecomputeStoresThePurchasesOfEachCustomerStoreAndDay()
    {
        var random = new Random(1);
        var customers = await CustomersAsync(30);
        foreach (var customer in customers)
            for (var i = random.Next(0, 8); i > 0; i--)
                await Repository<Order>().InsertAsync(RandomOrder(random, customer.Id), false);

        var settings = new CustomerSegmentsSettings();
        await Statistics(settings).RecomputeAllAsync(Now);

        var expected = await ExpectedAsync(settings);
        Assert.That(expected.Count, Is.GreaterThan(30), "days to compare");
        Assert.That(expected.Keys.Select(k => k.StoreId).Distinct().Count(), Is.EqualTo(4), "orders of stores 0-3");
        await AssertRowsAreThePurchasesAsync(settings, "after the recompute");

        //other settings: the recompute follows their purchase definition
        var other = new CustomerSegmentsSettings { PurchasePaymentStatusIds = [(int)PaymentStatus.Pending, (int)PaymentStatus.Paid], ExcludedOrderStatusIds = [] };
        await Statistics(other).RecomputeAllAsync(Now);
        Assert.That(await ExpectedAsync(other), Is.Not.EquivalentTo(expected));
        await AssertRowsAreThePurchasesAsync(other, "after the recompute with other settings");
    }

    [Test]
    public async Task RefreshingACustomerAfterEachOrderEventLeavesWhatTheRecomputeWould()
    {
        var random = new Random(2);
        var customers = await CustomersAsync(6);
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        await statistics.RecomputeAllAsync(Now);

        var daysSeen = new HashSet<(int, int, DateTime)>();
        for (var step = 1; step <= 120; step++)
        {
            var customer = customers[random.Next(customers.Count)];
            await ChangeRandomOrderAsync(random, customer.Id);
            await statistics.RefreshCustomerAsync(customer.Id, Now);
            if (step % 10 == 0)
            {
                await AssertRowsAreThePurchasesAsync(settings, $"after step {step}");
                daysSeen.UnionWith((await RowsAsync()).Keys);
            }
        }

        var refreshed = await RowsAsync();
        await statistics.RecomputeAllAsync(Now);
        Assert.That(await RowsAsync(), Is.EquivalentTo(refreshed), "the recompute finds the same rows");
        Assert.That(daysSeen.Count, Is.GreaterThanOrEqualTo(8), "days to compare");
    }

    [Test]
    public async Task RefreshingTheDayOfEachChangedOrderLeavesWhatTheRecomputeWould()
    {
        var random = new Random(4);
        var customers = await CustomersAsync(6);
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        var service = Shop.NewDailyPurchasesService(settings);
        await statistics.RecomputeAllAsync(Now);

        var (daysWritten, unchanged) = (0, 0);
        for (var step = 1; step <= 120; step++)
        {
            var customer = customers[random.Next(customers.Count)];
            var order = await ChangeRandomOrderAsync(random, customer.Id, datesChange: false);
            //a deleted order is refreshed customer-wide, as its event is
            var written = order == null
                ? await service.RefreshCustomerAsync(customer.Id)
                : (await service.RefreshCustomerDayAsync(customer.Id, order.CreatedOnUtc)).Written;
            if (order != null)
                (daysWritten, unchanged) = written ? (daysWritten + 1, unchanged) : (daysWritten, unchanged + 1);
            if (step % 10 == 0)
                await AssertRowsAreThePurchasesAsync(settings, $"after step {step}");
        }

        Assert.That(daysWritten, Is.GreaterThanOrEqualTo(20), "days written from an order's change");
        Assert.That(unchanged, Is.GreaterThanOrEqualTo(5), "changes that left the day's figures (pending orders, for one)");
    }

    [Test]
    public async Task ThePurchasesOfPeriodsReadWithADaysRefreshAreThoseOfTheOrdersAfterIt()
    {
        var random = new Random(6);
        var customers = await CustomersAsync(4);
        var settings = new CustomerSegmentsSettings();
        var service = Shop.NewDailyPurchasesService(settings);
        await Statistics(settings).RecomputeAllAsync(Now);
        //a period starting at midnight (no rest of a day), in a day, a second before midnight, beyond every order
        DateTime[] starts = [Now.Date.AddDays(-2), Now.AddDays(-1.5), Now.Date.AddDays(-3).AddSeconds(-1), Now.AddDays(-30)];

        var (daysWritten, withPurchases) = (0, 0);
        for (var step = 1; step <= 100; step++)
        {
            var customer = customers[random.Next(customers.Count)];
            var order = await ChangeRandomOrderAsync(random, customer.Id, datesChange: false);
            if (order == null)
            {
                await service.RefreshCustomerAsync(customer.Id);
                continue;
            }

            var refresh = await service.RefreshCustomerDayAsync(customer.Id, order.CreatedOnUtc, starts);
            daysWritten += refresh.Written ? 1 : 0;
            var purchases = (await Repository<Order>().Table.Where(o => o.CustomerId == customer.Id).ToListAsync())
                .Where(o => !o.Deleted && settings.PurchasePaymentStatusIds.Contains(o.PaymentStatusId) && !settings.ExcludedOrderStatusIds.Contains(o.OrderStatusId))
                .ToList();
            foreach (var start in starts)
            {
                foreach (var storeId in new[] { 0, 1, 2, 3 })
                {
                    var expected = purchases.Where(o => o.CreatedOnUtc >= start && (storeId == 0 || o.StoreId == storeId)).ToList();
                    var read = refresh.Periods.GetPurchases(storeId, start);
                    Assert.That((read.OrderCount, read.TotalSpent), Is.EqualTo((expected.Count, expected.Sum(o => o.OrderTotal))),
                        $"step {step}, customer {customer.Id}, store {storeId}, since {start:O}");
                    withPurchases += expected.Count > 0 ? 1 : 0;
                }
            }

            Assert.That(refresh.Periods.GetPurchases(0, Now.AddDays(-7)), Is.Null, "a period not asked for");
        }

        Assert.That(daysWritten, Is.GreaterThanOrEqualTo(20), "days written from an order's change: read as written");
        Assert.That(withPurchases, Is.GreaterThanOrEqualTo(200), "periods with purchases");
    }

    [Test]
    public async Task RefreshingOneDayLeavesTheCustomersOtherDaysAsTheyAre()
    {
        var customer = (await CustomersAsync(1))[0];
        var settings = new CustomerSegmentsSettings();
        var service = Shop.NewDailyPurchasesService(settings);
        Order Paid(DateTime placedOnUtc, decimal total)
        {
            var order = RandomOrder(new Random(5), customer.Id);
            (order.PaymentStatusId, order.OrderStatusId, order.Deleted, order.StoreId) = ((int)PaymentStatus.Paid, (int)OrderStatus.Complete, false, 1);
            (order.CreatedOnUtc, order.OrderTotal) = (placedOnUtc, total);
            return order;
        }

        var lastSecondOfDay = Now.Date.AddDays(-3).AddSeconds(-1);
        var firstOfNextDay = Now.Date.AddDays(-3);
        foreach (var order in new[] { Paid(lastSecondOfDay, 10), Paid(firstOfNextDay, 20) })
            await Repository<Order>().InsertAsync(order, false);

        Assert.That((await service.RefreshCustomerDayAsync(customer.Id, firstOfNextDay.AddHours(13))).Written, Is.True, "the later day is new");
        Assert.That((await service.GetCustomerDaysAsync(customer.Id)).Select(row => (row.Day.Date, row.OrderCount, row.TotalSpent)),
            Is.EqualTo(new[] { (firstOfNextDay, 1, 20m) }), "the day before is not read");

        Assert.That((await service.RefreshCustomerDayAsync(customer.Id, lastSecondOfDay)).Written, Is.True);
        Assert.That((await service.RefreshCustomerDayAsync(customer.Id, lastSecondOfDay)).Written, Is.False, "nothing changed");
        Assert.That((await service.GetCustomerDaysAsync(customer.Id)).OrderBy(row => row.Day).Select(row => (row.Day.Date, row.OrderCount, row.TotalSpent)),
            Is.EqualTo(new[] { (lastSecondOfDay.Date, 1, 10m), (firstOfNextDay, 1, 20m) }));
    }

    [Test]
    public async Task ARefreshWithoutChangesWritesNothingAndOneWithAChangeReportsIt()
    {
        var customer = (await CustomersAsync(1))[0];
        var settings = new CustomerSegmentsSettings();
        var service = Shop.NewDailyPurchasesService(settings);
        var order = RandomOrder(new Random(3), customer.Id);
        order.PaymentStatusId = (int)PaymentStatus.Paid;
        order.OrderStatusId = (int)OrderStatus.Complete;
        order.Deleted = false;
        await Repository<Order>().InsertAsync(order, false);

        Assert.That(await service.RefreshCustomerAsync(customer.Id), Is.True, "the new day");
        var rows = await service.GetCustomerDaysAsync(customer.Id);
        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That(await service.RefreshCustomerAsync(customer.Id), Is.False, "nothing changed");

        order.OrderStatusId = (int)OrderStatus.Cancelled;
        await Repository<Order>().UpdateAsync(order, false);
        Assert.That(await service.RefreshCustomerAsync(customer.Id), Is.True, "the day has no purchase any more");
        Assert.That(await service.GetCustomerDaysAsync(customer.Id), Is.Empty);
    }

    /// <summary>
    /// The service, counting refreshes that took the rows' lock, and able to let another writer act between the
    /// unlocked read and the writes
    /// </summary>
    private sealed class ObservedDailyPurchasesService(CustomerSegmentsSettings settings, TestShop shop)
        : CustomerDailyPurchasesService(settings, shop.DataProvider, shop.Repository<Order>(), shop.Repository<CustomerDailyPurchases>(),
            new SegmentMembershipTransaction(shop.Repository<Segment>()))
    {
        public int Locked { get; private set; }

        /// <summary>
        /// Runs once, right after the customer's rows and orders were read
        /// </summary>
        public Func<Task> AfterRead { get; set; }

        protected override async Task<(List<CustomerDailyPurchases> Rows, List<DailyStatusAggregate> Groups)> ReadCustomerAsync(int customerId)
        {
            var read = await base.ReadCustomerAsync(customerId);
            var afterRead = AfterRead;
            AfterRead = null;
            if (afterRead != null)
                await afterRead();
            return read;
        }

        protected override Task<bool> RefreshLockedAsync(int customerId)
        {
            Locked++;
            return base.RefreshLockedAsync(customerId);
        }
    }

    [Test]
    public async Task ARefreshThatReadBeforeAnotherOneWroteLeavesTheNewerFiguresThroughTheLockedPath()
    {
        var customer = (await CustomersAsync(1))[0];
        var settings = new CustomerSegmentsSettings();
        var first = RandomOrder(new Random(5), customer.Id);
        (first.PaymentStatusId, first.OrderStatusId, first.Deleted, first.StoreId, first.CreatedOnUtc) =
            ((int)PaymentStatus.Paid, (int)OrderStatus.Complete, false, 1, Now.AddDays(-1));
        await Repository<Order>().InsertAsync(first, false);
        var service = new ObservedDailyPurchasesService(settings, Shop);
        await service.RefreshCustomerAsync(customer.Id);
        Assert.That(service.Locked, Is.Zero, "nothing in the way: the unlocked writes");

        //a second order on the same day: this refresh reads, then another event's refresh (which read the order too,
        //and a third one placed meanwhile) writes first
        var second = RandomOrder(new Random(6), customer.Id);
        (second.PaymentStatusId, second.OrderStatusId, second.Deleted, second.StoreId, second.CreatedOnUtc) =
            ((int)PaymentStatus.Paid, (int)OrderStatus.Complete, false, 1, Now.AddDays(-1).AddMinutes(5));
        await Repository<Order>().InsertAsync(second, false);
        service.AfterRead = async () =>
        {
            var third = RandomOrder(new Random(7), customer.Id);
            (third.PaymentStatusId, third.OrderStatusId, third.Deleted, third.StoreId, third.CreatedOnUtc) =
                ((int)PaymentStatus.Paid, (int)OrderStatus.Complete, false, 1, Now.AddDays(-1).AddMinutes(10));
            await Repository<Order>().InsertAsync(third, false);
            Assert.That(await Shop.NewDailyPurchasesService(settings).RefreshCustomerAsync(customer.Id), Is.True);
        };

        Assert.That(await service.RefreshCustomerAsync(customer.Id), Is.False, "the other refresh wrote the day already");
        Assert.That(service.Locked, Is.EqualTo(1), "the guarded write found the row changed");
        var day = (await service.GetCustomerDaysAsync(customer.Id)).Single();
        Assert.That(day.OrderCount, Is.EqualTo(3), "the newer figures stay");
        await AssertRowsAreThePurchasesAsync(settings, "after both refreshes");
    }

    [Test]
    public async Task RefreshingAListOfCustomersAndTheInPlaceRefreshLeaveWhatTheRecomputeWould()
    {
        var random = new Random(4);
        var customers = await CustomersAsync(20);
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        foreach (var customer in customers)
            for (var i = random.Next(0, 5); i > 0; i--)
                await Repository<Order>().InsertAsync(RandomOrder(random, customer.Id), false);
        await statistics.RefreshAllAsync(Now);
        await AssertRowsAreThePurchasesAsync(settings, "after the first refresh (a recompute)");

        //several customers' orders changed, then refreshed together
        var changed = customers.Where(_ => random.Next(2) == 0).ToList();
        for (var i = 0; i < 40; i++)
            await ChangeRandomOrderAsync(random, changed[random.Next(changed.Count)].Id);
        Assert.That(await RowsAsync(), Is.Not.EquivalentTo(await ExpectedAsync(settings)), "the changes are not in the rows yet");
        await statistics.RefreshCustomersAsync(changed.Select(c => c.Id).ToList(), Now);
        await AssertRowsAreThePurchasesAsync(settings, "after the refresh of the list");

        //orders placed without an event: the in-place refresh of all (statistics current) catches up with them
        Assert.That(statistics.AreCurrent(), Is.True);
        var later = Now.AddHours(1);
        foreach (var customer in customers.Take(5))
        {
            var order = RandomOrder(random, customer.Id);
            order.CreatedOnUtc = later.AddMinutes(-random.Next(1, 50));
            order.PaymentStatusId = (int)PaymentStatus.Paid;
            order.OrderStatusId = (int)OrderStatus.Complete;
            order.Deleted = false;
            await Repository<Order>().InsertAsync(order, false);
        }

        await statistics.RefreshAllAsync(later);
        await AssertRowsAreThePurchasesAsync(settings, "after the in-place refresh");
    }
}
