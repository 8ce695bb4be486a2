using System.Text.Json;
using LinqToDB;
using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Logging;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Statistics;

/// <summary>
/// The plugin's per-customer order statistics on real databases: what a full refresh and a per-customer refresh
/// store, RFM scores, and how the rebuild keeps them current
/// </summary>
public class CustomerOrderStatisticsTests : DatabaseTestBase
{
    private static readonly DateTime Now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);
    private int _guestsRoleId;
    private int _registeredRoleId;

    public CustomerOrderStatisticsTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public async Task ResetAsync()
    {
        foreach (var clear in new Func<Task>[]
                 {
                     () => Repository<CustomerOrderStatistics>().DeleteAsync(_ => true), () => Repository<CustomerDailyPurchases>().DeleteAsync(_ => true),
                     () => Repository<CustomerPurchasedProduct>().DeleteAsync(_ => true), () => Repository<OrderItem>().DeleteAsync(_ => true),
                     () => Repository<Order>().DeleteAsync(_ => true),
                     () => Repository<CustomerCustomerRoleMapping>().DeleteAsync(_ => true), () => Repository<CustomerRole>().DeleteAsync(_ => true),
                     () => Repository<SegmentMembership>().DeleteAsync(_ => true), () => Repository<Segment>().DeleteAsync(_ => true),
                     () => Repository<Customer>().DeleteAsync(_ => true)
                 })
            await clear();

        var guests = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
        var registered = new CustomerRole { Name = "Registered", SystemName = NopCustomerDefaults.RegisteredRoleName, Active = true };
        await Repository<CustomerRole>().InsertAsync(guests);
        await Repository<CustomerRole>().InsertAsync(registered);
        _guestsRoleId = guests.Id;
        _registeredRoleId = registered.Id;
    }

    #region Data

    private async Task<Customer> CustomerAsync(bool guest = false)
    {
        var customer = new Customer
        {
            CustomerGuid = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@example.com", Active = true,
            CreatedOnUtc = Now.AddYears(-2), LastActivityDateUtc = Now
        };
        await Repository<Customer>().InsertAsync(customer);
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping
        {
            CustomerId = customer.Id, CustomerRoleId = guest ? _guestsRoleId : _registeredRoleId
        });
        return customer;
    }

    private async Task<Order> OrderAsync(Customer customer, decimal total, DateTime createdOnUtc, int storeId = 1,
        PaymentStatus payment = PaymentStatus.Paid, OrderStatus status = OrderStatus.Complete, bool deleted = false)
    {
        var order = new Order
        {
            OrderGuid = Guid.NewGuid(), CustomerId = customer.Id, StoreId = storeId, OrderTotal = total,
            PaymentStatusId = (int)payment, OrderStatusId = (int)status, ShippingStatusId = 10, CreatedOnUtc = createdOnUtc,
            CustomOrderNumber = Guid.NewGuid().ToString("N")[..10], CustomerCurrencyCode = "USD", CurrencyRate = 1, Deleted = deleted
        };
        await Repository<Order>().InsertAsync(order);
        return order;
    }

    private CustomerOrderStatisticsService Statistics(CustomerSegmentsSettings settings, ISettingService settingService = null) =>
        Shop.NewOrderStatisticsService(settings, settingService ?? new Mock<ISettingService>().Object);

    private async Task<Dictionary<(int CustomerId, int StoreId), CustomerOrderStatistics>> RowsAsync() =>
        (await Repository<CustomerOrderStatistics>().Table.ToListAsync()).ToDictionary(s => (s.CustomerId, s.StoreId));

    private static void AssertFigures(CustomerOrderStatistics row, int count, decimal total, DateTime? first, DateTime? last, int refunded, int cancelled)
    {
        Assert.That(row, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(row.OrderCount, Is.EqualTo(count), "order count");
            Assert.That(row.TotalSpent, Is.EqualTo(total), "total");
            Assert.That(row.FirstOrderOnUtc, Is.EqualTo(first).Within(TimeSpan.FromMilliseconds(1)), "first");
            Assert.That(row.LastOrderOnUtc, Is.EqualTo(last).Within(TimeSpan.FromMilliseconds(1)), "last");
            Assert.That(row.RefundedOrderCount, Is.EqualTo(refunded), "refunded");
            Assert.That(row.CancelledOrderCount, Is.EqualTo(cancelled), "cancelled");
        });
    }

    private static string Figures(CustomerOrderStatistics row) => JsonSerializer.Serialize(new
    {
        row.OrderCount, TotalSpent = row.TotalSpent.ToString("0.0000"), First = row.FirstOrderOnUtc?.ToString("O"), Last = row.LastOrderOnUtc?.ToString("O"),
        row.RefundedOrderCount, row.CancelledOrderCount, row.RfmOrderCount, RfmTotalSpent = row.RfmTotalSpent.ToString("0.0000"),
        row.RecencyScore, row.FrequencyScore, row.MonetaryScore
    });

    #endregion

    [Test]
    public async Task AFullRefreshSumsPurchasesPerStoreAndForAllStores()
    {
        var customer = await CustomerAsync();
        var other = await CustomerAsync();
        await OrderAsync(customer, 100, Now.AddDays(-30));
        await OrderAsync(customer, 50, Now.AddDays(-10));
        await OrderAsync(customer, 70, Now.AddDays(-5), storeId: 2);
        await OrderAsync(customer, 999, Now.AddDays(-3), payment: PaymentStatus.Pending);
        await OrderAsync(customer, 888, Now.AddDays(-2), status: OrderStatus.Cancelled);
        await OrderAsync(customer, 777, Now.AddDays(-1), payment: PaymentStatus.Refunded, storeId: 2);
        await OrderAsync(customer, 666, Now.AddDays(-1), payment: PaymentStatus.PartiallyRefunded);
        await OrderAsync(customer, 555, Now.AddDays(-1), deleted: true);
        await OrderAsync(other, 5, Now.AddDays(-400), storeId: 2);

        await Statistics(new CustomerSegmentsSettings()).RefreshAllAsync(Now);
        var rows = await RowsAsync();

        Assert.That(rows.Keys, Is.EquivalentTo(new[] { (customer.Id, 1), (customer.Id, 2), (customer.Id, 0), (other.Id, 2), (other.Id, 0) }));
        AssertFigures(rows[(customer.Id, 1)], 2, 150, Now.AddDays(-30), Now.AddDays(-10), 1, 1);
        AssertFigures(rows[(customer.Id, 2)], 1, 70, Now.AddDays(-5), Now.AddDays(-5), 1, 0);
        AssertFigures(rows[(customer.Id, 0)], 3, 220, Now.AddDays(-30), Now.AddDays(-5), 2, 1);
        AssertFigures(rows[(other.Id, 0)], 1, 5, Now.AddDays(-400), Now.AddDays(-400), 0, 0);
        Assert.That(rows[(customer.Id, 0)].RfmOrderCount, Is.EqualTo(3));
        Assert.That(rows[(customer.Id, 0)].RfmTotalSpent, Is.EqualTo(220));
        //the other customer's only purchase is older than the RFM window: no scores
        Assert.That(rows[(other.Id, 0)].RfmOrderCount, Is.Zero);
        Assert.That(new[] { rows[(other.Id, 0)].RecencyScore, rows[(other.Id, 0)].FrequencyScore, rows[(other.Id, 0)].MonetaryScore }, Is.All.Zero);
    }

    [Test]
    public async Task ThePurchaseStatusesOfTheSettingsDecideWhichOrdersCount()
    {
        var customer = await CustomerAsync();
        await OrderAsync(customer, 100, Now.AddDays(-30));
        await OrderAsync(customer, 40, Now.AddDays(-20), payment: PaymentStatus.Pending);
        await OrderAsync(customer, 60, Now.AddDays(-10), status: OrderStatus.Cancelled);

        var settings = new CustomerSegmentsSettings
        {
            PurchasePaymentStatusIds = [(int)PaymentStatus.Paid, (int)PaymentStatus.Pending],
            ExcludedOrderStatusIds = []
        };
        await Statistics(settings).RefreshAllAsync(Now);

        AssertFigures((await RowsAsync())[(customer.Id, 0)], 3, 200, Now.AddDays(-30), Now.AddDays(-10), 0, 1);
    }

    [TestCase(false, TestName = "{m}(customers together)")]
    [TestCase(true, TestName = "{m}(one customer at a time, as order events do)")]
    public async Task ThePerCustomerRefreshAgreesWithAFullRefreshAndKeepsTheRfmScores(bool oneAtATime)
    {
        var settings = new CustomerSegmentsSettings();
        var customers = new List<Customer>();
        for (var i = 0; i < 12; i++)
        {
            var customer = await CustomerAsync();
            customers.Add(customer);
            for (var k = 0; k <= i % 4; k++)
                await OrderAsync(customer, 10 * (i + 1), Now.AddDays(-5 * (i + k + 1)), storeId: 1 + k % 2);
        }

        var service = Statistics(settings);
        await service.RefreshAllAsync(Now);
        var before = await RowsAsync();

        //new orders: in a new store, a refund, a partial refund, a cancellation, a purchase before the RFM window,
        //one not paid; a first order; a deleted order
        var changed = customers[0];
        await OrderAsync(changed, 500, Now.AddDays(-1), storeId: 3);
        await OrderAsync(changed, 80, Now.AddDays(-1), payment: PaymentStatus.Refunded);
        await OrderAsync(changed, 70.25m, Now.AddDays(-2), payment: PaymentStatus.PartiallyRefunded);
        await OrderAsync(changed, 90, Now.AddDays(-1), status: OrderStatus.Cancelled);
        await OrderAsync(changed, 45.5m, Now.AddDays(-800), storeId: 2);
        await OrderAsync(changed, 60, Now.AddDays(-3), payment: PaymentStatus.Pending, status: OrderStatus.Pending);
        var newcomer = await CustomerAsync();
        await OrderAsync(newcomer, 30, Now.AddDays(-2), storeId: 2);
        var deleting = customers[5];
        var deletedOrders = await Repository<Order>().Table.Where(o => o.CustomerId == deleting.Id).ToListAsync();
        foreach (var order in deletedOrders)
        {
            order.Deleted = true;
            await Repository<Order>().UpdateAsync(order);
        }

        if (oneAtATime)
        {
            foreach (var customer in new[] { changed, newcomer, deleting })
                await service.RefreshCustomersAsync([customer.Id], Now);
        }
        else
            await service.RefreshCustomersAsync([changed.Id, newcomer.Id, deleting.Id], Now);
        var afterEvent = await RowsAsync();

        //untouched customers keep their rows as they were
        foreach (var customer in customers.Where(c => c != changed && c != deleting))
            foreach (var key in before.Keys.Where(k => k.CustomerId == customer.Id))
                Assert.That(JsonSerializer.Serialize(afterEvent[key]), Is.EqualTo(JsonSerializer.Serialize(before[key])));

        //the refreshed customers' figures equal those of a full refresh; their RFM scores are those of the last full refresh
        await service.RefreshAllAsync(Now);
        var full = await RowsAsync();
        foreach (var customer in new[] { changed, newcomer })
        {
            foreach (var key in full.Keys.Where(k => k.CustomerId == customer.Id))
            {
                var row = afterEvent[key];
                var expected = full[key];
                AssertFigures(row, expected.OrderCount, expected.TotalSpent, expected.FirstOrderOnUtc, expected.LastOrderOnUtc,
                    expected.RefundedOrderCount, expected.CancelledOrderCount);
                Assert.That(row.RfmOrderCount, Is.EqualTo(expected.RfmOrderCount));
                Assert.That(row.RfmTotalSpent, Is.EqualTo(expected.RfmTotalSpent));
                var scores = before.TryGetValue(key, out var old) ? (old.RecencyScore, old.FrequencyScore, old.MonetaryScore) : (0, 0, 0);
                Assert.That((row.RecencyScore, row.FrequencyScore, row.MonetaryScore), Is.EqualTo(scores), $"scores of {key}");
            }
        }

        Assert.That(afterEvent.ContainsKey((changed.Id, 3)), Is.True);
        Assert.That(afterEvent[(newcomer.Id, 0)].OrderCount, Is.EqualTo(1));
        //a customer whose orders were all deleted keeps rows that read as "no orders"
        foreach (var key in afterEvent.Keys.Where(k => k.CustomerId == deleting.Id))
            AssertFigures(afterEvent[key], 0, 0, null, null, 0, 0);
    }

    /// <summary>
    /// The statistics service, counting refreshes of one customer that took the rows' lock, and able to let another
    /// writer change the rows between the unlocked read and the write
    /// </summary>
    private sealed class ObservedStatisticsService(CustomerSegmentsSettings settings, INopDataProvider dataProvider, ISettingService settingService,
        IRepository<Customer> customers, IRepository<CustomerCustomerRoleMapping> mappings, IRepository<CustomerRole> roles,
        IRepository<Order> orders, IRepository<CustomerOrderStatistics> statistics, ISegmentMembershipTransaction transaction,
        ICustomerDailyPurchasesService dailyPurchases, ICustomerPurchasedProductService purchasedProducts)
        : CustomerOrderStatisticsService(settings, dataProvider, settingService, customers, mappings, roles, orders, statistics, transaction, dailyPurchases, purchasedProducts)
    {
        public int Locked { get; private set; }

        public Func<Task> BeforeWrite { get; set; }

        /// <summary>
        /// Runs once, right after the customer's orders were read
        /// </summary>
        public Func<Task> AfterOrdersRead { get; set; }

        protected override async Task<(List<CustomerOrderStatistics> Rows, List<OrderStatusAggregate> Groups, List<SegmentCustomer> SegmentCustomers)> ReadCustomerAsync(
            int customerId, DateTime nowUtc, IQueryable<SegmentCustomer> segmentCustomers = null)
        {
            var read = await base.ReadCustomerAsync(customerId, nowUtc, segmentCustomers);
            if (AfterOrdersRead is { } hook)
            {
                AfterOrdersRead = null;
                await hook();
            }

            return read;
        }

        protected override async Task<int> UpdateIfUnchangedAsync(IList<(CustomerOrderStatistics Row, OrderAggregate Figures)> changes)
        {
            if (BeforeWrite != null)
                await BeforeWrite();
            return await base.UpdateIfUnchangedAsync(changes);
        }

        protected override Task<CustomerStatisticsRefresh> RefreshLockedAsync(int customerId, DateTime nowUtc)
        {
            Locked++;
            return base.RefreshLockedAsync(customerId, nowUtc);
        }
    }

    [Test]
    public async Task AnOrderOfAKnownCustomerIsWrittenWithoutTheLockAndAWriteMeanwhileSendsTheRefreshUnderTheLock()
    {
        var settings = new CustomerSegmentsSettings();
        var ann = await CustomerAsync();
        var bob = await CustomerAsync();
        await OrderAsync(ann, 20, Now.AddDays(-30));
        await OrderAsync(bob, 15.5m, Now.AddDays(-40), storeId: 2);
        var service = new ObservedStatisticsService(settings, DataProvider, new Mock<ISettingService>().Object, Repository<Customer>(),
            Repository<CustomerCustomerRoleMapping>(), Repository<CustomerRole>(), Repository<Order>(), Repository<CustomerOrderStatistics>(),
            new SegmentMembershipTransaction(Repository<Segment>()), Shop.NewDailyPurchasesService(settings), Shop.NewPurchasedProductService(settings));
        await service.RefreshAllAsync(Now);

        async Task assertAsFullRefreshAsync(string step, CustomerStatisticsRefresh refresh, Customer customer)
        {
            var rows = (await RowsAsync()).Values.Where(row => row.CustomerId == customer.Id).OrderBy(row => row.StoreId).ToList();
            Assert.That(refresh.Rows.OrderBy(row => row.StoreId).Select(Figures), Is.EqualTo(rows.Select(Figures)), $"{step}: the rows returned are those stored");
            await Statistics(settings).RecomputeAllAsync(Now);
            var full = (await RowsAsync()).Values.Where(row => row.CustomerId == customer.Id).OrderBy(row => row.StoreId).ToList();
            Assert.That(rows.Select(row => (row.StoreId, row.OrderCount, row.TotalSpent, row.RfmOrderCount, row.RfmTotalSpent, row.RefundedOrderCount)),
                Is.EqualTo(full.Select(row => (row.StoreId, row.OrderCount, row.TotalSpent, row.RfmOrderCount, row.RfmTotalSpent, row.RefundedOrderCount))), step);
            for (var i = 0; i < rows.Count; i++)
            {
                Assert.That(rows[i].FirstOrderOnUtc, Is.EqualTo(full[i].FirstOrderOnUtc).Within(TimeSpan.FromSeconds(1)), step);
                Assert.That(rows[i].LastOrderOnUtc, Is.EqualTo(full[i].LastOrderOnUtc).Within(TimeSpan.FromSeconds(1)), step);
            }
        }

        //a new order in the store she bought in: her two rows (store 1 and all stores) in one statement, no lock
        await OrderAsync(ann, 30.25m, Now.AddDays(-2));
        var refresh = await service.RefreshCustomerAsync(ann.Id, Now);
        Assert.That((refresh.Written, service.Locked), Is.EqualTo((true, 0)));
        await assertAsFullRefreshAsync("new order", refresh, ann);

        //announced again: nothing to write, no lock
        refresh = await service.RefreshCustomerAsync(ann.Id, Now);
        Assert.That((refresh.Written, service.Locked), Is.EqualTo((false, 0)));

        //a refund (one changed figure set per row) while another refresh writes her rows in between: written under the lock
        var refunded = await OrderAsync(ann, 12, Now.AddDays(-1));
        await service.RefreshCustomerAsync(ann.Id, Now);
        refunded.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(refunded);
        service.BeforeWrite = () => Statistics(settings).RefreshCustomersAsync([ann.Id, bob.Id], Now);
        refresh = await service.RefreshCustomerAsync(ann.Id, Now);
        Assert.That(service.Locked, Is.EqualTo(1), "the rows had changed since they were read");
        await assertAsFullRefreshAsync("refund with a write meanwhile", refresh, ann);

        //bob's first order in another store: new rows, under the lock
        service.BeforeWrite = null;
        var bobsOrderInStore1 = await OrderAsync(bob, 40, Now.AddDays(-1), storeId: 1);
        refresh = await service.RefreshCustomerAsync(bob.Id, Now);
        Assert.That((refresh.Written, service.Locked), Is.EqualTo((true, 2)));
        await assertAsFullRefreshAsync("first order in a store", refresh, bob);

        //his only order in that store refunded: that store's dates go empty, all stores keep the other store's, one statement
        bobsOrderInStore1.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(bobsOrderInStore1);
        refresh = await service.RefreshCustomerAsync(bob.Id, Now);
        Assert.That((refresh.Written, service.Locked), Is.EqualTo((true, 2)));
        Assert.That(refresh.Rows.Select(row => (row.StoreId, row.LastOrderOnUtc.HasValue)), Is.EquivalentTo(new[] { (0, true), (1, false), (2, true) }));
        await assertAsFullRefreshAsync("the only order of a store refunded", refresh, bob);

        //another order, refreshed by its own event after this refresh read the orders: this one must not write the older figures
        service.AfterOrdersRead = async () =>
        {
            await OrderAsync(ann, 7, Now.AddHours(-1));
            await Statistics(settings).RefreshCustomersAsync([ann.Id], Now);
        };
        await service.RefreshCustomerAsync(ann.Id, Now);
        var stored = (await RowsAsync()).Values.Where(row => row.CustomerId == ann.Id).OrderBy(row => row.StoreId).ToList();
        await Statistics(settings).RecomputeAllAsync(Now);
        var truth = (await RowsAsync()).Values.Where(row => row.CustomerId == ann.Id).OrderBy(row => row.StoreId).ToList();
        Assert.That(stored.Select(row => (row.StoreId, row.OrderCount, row.TotalSpent)), Is.EqualTo(truth.Select(row => (row.StoreId, row.OrderCount, row.TotalSpent))),
            "an order refreshed meanwhile");
    }

    [Test]
    public async Task RfmScoresAreRankedAmongTheEligibleBuyersOfTheWindowPerStore()
    {
        //ten registered buyers with 1..10 purchases in the window (store 1), a guest with many, one buyer outside the window
        var buyers = new List<Customer>();
        for (var i = 1; i <= 10; i++)
        {
            var customer = await CustomerAsync();
            buyers.Add(customer);
            for (var k = 0; k < i; k++)
                await OrderAsync(customer, 10, Now.AddDays(-100 + i));
        }

        var guest = await CustomerAsync(guest: true);
        for (var k = 0; k < 20; k++)
            await OrderAsync(guest, 1000, Now.AddDays(-1));
        var old = await CustomerAsync();
        await OrderAsync(old, 10, Now.AddDays(-500));

        await Statistics(new CustomerSegmentsSettings()).RefreshAllAsync(Now);
        var rows = await RowsAsync();

        //score = 1 + ⌊5·below / 10⌋: two buyers per score, ranks shared by nobody
        for (var i = 1; i <= 10; i++)
        {
            var expected = 1 + 5 * (i - 1) / 10;
            foreach (var storeId in new[] { 0, 1 })
            {
                var row = rows[(buyers[i - 1].Id, storeId)];
                Assert.That((row.RecencyScore, row.FrequencyScore, row.MonetaryScore), Is.EqualTo((expected, expected, expected)), $"buyer {i}, store {storeId}");
            }
        }

        Assert.That(rows[(guest.Id, 0)].RecencyScore, Is.Zero, "guests are not scored unless the settings include them");
        Assert.That(rows[(old.Id, 0)].RecencyScore, Is.Zero, "no purchase in the window");

        //with guests, the guest is the top buyer of every measure
        await Statistics(new CustomerSegmentsSettings { IncludeGuests = true }).RefreshAllAsync(Now);
        var withGuests = (await RowsAsync())[(guest.Id, 0)];
        Assert.That((withGuests.RecencyScore, withGuests.FrequencyScore, withGuests.MonetaryScore), Is.EqualTo((5, 5, 5)));
    }

    [Test]
    public async Task BuyersWithEqualFiguresGetEqualRfmScores()
    {
        //ten buyers in three groups of equals: six bought once (30 days ago, 50), two twice (last 20 days ago, 100),
        //two three times (last 10 days ago, 150); a group's score counts the buyers below it: 0, 6 and 8 of 10
        var orders = new[] { 1, 1, 1, 1, 1, 1, 2, 2, 3, 3 };
        var buyers = new List<Customer>();
        foreach (var count in orders)
        {
            var customer = await CustomerAsync();
            buyers.Add(customer);
            for (var k = 0; k < count; k++)
                await OrderAsync(customer, 50, Now.AddDays(-40 + 10 * count).AddHours(-k));
        }

        await Statistics(new CustomerSegmentsSettings()).RefreshAllAsync(Now);
        var rows = await RowsAsync();

        var expected = new[] { 1, 1, 1, 1, 1, 1, 4, 4, 5, 5 };
        foreach (var storeId in new[] { 0, 1 })
        {
            var scores = buyers.Select(buyer => rows[(buyer.Id, storeId)]).Select(row => (row.RecencyScore, row.FrequencyScore, row.MonetaryScore));
            Assert.That(scores, Is.EqualTo(expected.Select(score => (score, score, score))), $"store {storeId}");
        }
    }

    /// <summary>
    /// The scores from their definition, over random buyers with many equal figures in two stores, guests and buyers
    /// outside the window among them, the rows written a few customer ids at a time: per store, among the eligible
    /// buyers of the window, score = 1 + ⌊5·below / buyers⌋, below counting the buyers with a smaller value
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task RfmScoresAreThoseOfTheirDefinitionForRandomBuyers(int seed)
    {
        var random = new Random(seed);
        var guests = new HashSet<int>();
        for (var i = 0; i < 23; i++)
        {
            var guest = random.Next(6) == 0;
            var customer = await CustomerAsync(guest);
            if (guest)
                guests.Add(customer.Id);
            for (var k = random.Next(5); k > 0; k--)
                await OrderAsync(customer, 10 * random.Next(1, 4), Now.AddDays(-random.Next(3) * 100 - 1).AddHours(-random.Next(2)), storeId: random.Next(1, 3));
        }

        var statistics = Statistics(new CustomerSegmentsSettings());
        statistics.RecomputeCustomerIdsPerRange = 3;
        statistics.RankCustomerIdsPerRange = 4;
        await statistics.RefreshAllAsync(Now);
        var rows = (await RowsAsync()).Values.ToList();

        var ranked = rows.Where(row => row.RfmOrderCount > 0 && !guests.Contains(row.CustomerId)).ToList();
        Assert.That(ranked.Select(row => row.StoreId).Distinct().Count(), Is.EqualTo(3), "buyers in both stores and for all stores");
        Assert.That(ranked.Count, Is.GreaterThan(ranked.Select(row => row.RfmTotalSpent).Distinct().Count()), "equal figures");
        foreach (var row in rows)
        {
            var store = ranked.Where(other => other.StoreId == row.StoreId).ToList();
            int score<T>(Func<CustomerOrderStatistics, T> value) where T : IComparable<T>
            {
                var below = store.Count(other => value(other).CompareTo(value(row)) < 0);
                return 1 + Enumerable.Range(1, 4).Count(k => 5 * below >= k * store.Count);
            }

            var expected = ranked.Contains(row)
                ? (score(other => other.LastOrderOnUtc ?? DateTime.MinValue), score(other => other.RfmOrderCount), score(other => other.RfmTotalSpent))
                : (0, 0, 0);
            Assert.That((row.RecencyScore, row.FrequencyScore, row.MonetaryScore), Is.EqualTo(expected), $"customer {row.CustomerId}, store {row.StoreId}");
        }
    }

    [Test]
    public async Task RfmConditionsReadTheStoredScores()
    {
        var customers = new List<Customer>();
        for (var i = 1; i <= 5; i++)
        {
            var customer = await CustomerAsync();
            customers.Add(customer);
            for (var k = 0; k < i; k++)
                await OrderAsync(customer, 10 * i, Now.AddDays(-50 + i));
        }

        var settings = new CustomerSegmentsSettings();
        await Statistics(settings).RefreshAllAsync(Now);
        var builder = Builder(settings);
        var rule = Rule(RuleFields.RfmFrequency, RuleOperators.GreaterThanOrEqual, 4);

        Assert.That(await RunAsync(builder, rule), Is.EquivalentTo(new[] { customers[3].Id, customers[4].Id }));

        //the query reads the stored score, not the orders: a score changed in the table changes the result
        await Repository<CustomerOrderStatistics>().Table
            .Where(s => s.CustomerId == customers[0].Id && s.StoreId == 0)
            .Set(s => s.FrequencyScore, 5)
            .UpdateAsync();
        Assert.That(await RunAsync(builder, rule), Is.EquivalentTo(new[] { customers[0].Id, customers[3].Id, customers[4].Id }));

        var champions = Rule(RuleFields.RfmGroup, RuleOperators.In, RfmGroups.Champions);
        Assert.That(await RunAsync(builder, champions), Is.EquivalentTo(new[] { customers[3].Id, customers[4].Id }));
    }

    [Test]
    public async Task ASettingsChangeMakesTheStatisticsStaleAndTheNextRebuildRefreshesThem()
    {
        var customer = await CustomerAsync();
        await OrderAsync(customer, 100, DateTime.UtcNow.AddDays(-3), payment: PaymentStatus.Pending);

        var settings = new CustomerSegmentsSettings();
        var settingService = new Mock<ISettingService>();
        var statistics = Statistics(settings, settingService.Object);
        Assert.That(statistics.AreCurrent(), Is.False, "never filled");

        var rebuild = Rebuild(settings, statistics);
        var segment = await SegmentAsync(Rule(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 1));

        await rebuild.RebuildSegmentAsync(segment);
        Assert.That(statistics.AreCurrent(), Is.True);
        Assert.That(settings.OrderStatisticsKey, Is.EqualTo(CustomerOrderStatisticsService.SettingsKey(settings)));
        settingService.Verify(s => s.SaveSettingAsync(settings, It.IsAny<System.Linq.Expressions.Expression<Func<CustomerSegmentsSettings, string>>>(), 0, true),
            Times.AtLeastOnce);
        Assert.That(await CurrentMembersAsync(segment.Id), Is.Empty, "a pending order is no purchase");

        //pending orders now count: the statistics are no longer current, and the next rebuild refreshes them
        settings.PurchasePaymentStatusIds = [(int)PaymentStatus.Paid, (int)PaymentStatus.Pending];
        Assert.That(statistics.AreCurrent(), Is.False);
        await rebuild.RebuildSegmentAsync(segment);
        Assert.That(statistics.AreCurrent(), Is.True);
        Assert.That(await CurrentMembersAsync(segment.Id), Is.EqualTo(new[] { customer.Id }));

        //current statistics are not refreshed again by a segment's rebuild nor by the full rebuild (orders keep them current)
        await Repository<CustomerOrderStatistics>().Table.Where(s => s.CustomerId == customer.Id).Set(s => s.OrderCount, 0).UpdateAsync();
        await rebuild.RebuildSegmentAsync(segment);
        Assert.That(await CurrentMembersAsync(segment.Id), Is.Empty);
        await rebuild.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMembersAsync(segment.Id), Is.Empty, "the full rebuild reads the current statistics as they are");
        Assert.That((await RowsAsync())[(customer.Id, 0)].OrderCount, Is.Zero);

        //a settings change makes them stale again: the full rebuild recomputes them
        settings.PurchasePaymentStatusIds = [(int)PaymentStatus.Pending];
        await rebuild.RebuildAllSegmentsAsync();
        Assert.That(statistics.AreCurrent(), Is.True);
        Assert.That((await RowsAsync())[(customer.Id, 0)].OrderCount, Is.EqualTo(1));
        Assert.That(await CurrentMembersAsync(segment.Id), Is.EqualTo(new[] { customer.Id }));
    }

    [Test]
    public async Task ARefreshInPlaceAgreesWithAFullRecompute([Values(CustomerOrderStatisticsService.CustomerBatchSize, 4)] int customersPerBatch)
    {
        var settings = new CustomerSegmentsSettings();
        var service = Statistics(settings);
        service.RefreshCustomersPerBatch = customersPerBatch;
        var earlier = Now.AddDays(-3);
        var windowEdge = Now.AddDays(-settings.RfmWindowDays);

        //buyers spread over stores, amounts and dates, many of them near the start of the RFM window
        var customers = new List<Customer>();
        for (var i = 0; i < 24; i++)
        {
            var customer = await CustomerAsync(guest: i % 7 == 6);
            customers.Add(customer);
            for (var k = 0; k <= i % 5; k++)
                await OrderAsync(customer, 10 * (i + 1) + k, windowEdge.AddDays(-6 + (i + 3 * k) % 14).AddHours(i), storeId: 1 + (i + k) % 2,
                    payment: k == 3 ? PaymentStatus.Pending : PaymentStatus.Paid);
        }

        //only purchases that leave the window between the two refreshes
        var leaving = await CustomerAsync();
        await OrderAsync(leaving, 300, windowEdge.AddDays(-1));
        await OrderAsync(leaving, 200, windowEdge.AddDays(-2), storeId: 2);
        //a customer whose orders (far from the window's start) will all be deleted
        var deleting = await CustomerAsync();
        await OrderAsync(deleting, 60, Now.AddDays(-100));
        await OrderAsync(deleting, 70, Now.AddDays(-90), storeId: 2, payment: PaymentStatus.Refunded);
        //a customer with only a pending order: a row with zeros in both
        var pendingOnly = await CustomerAsync();
        await OrderAsync(pendingOnly, 50, Now.AddDays(-100), payment: PaymentStatus.Pending);

        await service.RefreshAllAsync(earlier);
        Assert.That(settings.OrderStatisticsRefreshedOnUtc, Is.EqualTo(earlier));
        var before = await RowsAsync();
        Assert.That(before[(leaving.Id, 0)].RfmOrderCount, Is.EqualTo(2));
        Assert.That(before[(leaving.Id, 0)].RecencyScore, Is.GreaterThan(0));

        //what order events did meanwhile: a refund, all orders of a customer deleted, a new store, a first order
        var refunded = (await Repository<Order>().Table.Where(o => o.CustomerId == customers[4].Id && o.PaymentStatusId == (int)PaymentStatus.Paid).ToListAsync()).First();
        refunded.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(refunded);
        await Repository<Order>().Table.Where(o => o.CustomerId == deleting.Id).Set(o => o.Deleted, true).UpdateAsync();
        await OrderAsync(customers[12], 999, Now.AddDays(-2), storeId: 3);
        var newcomer = await CustomerAsync();
        await OrderAsync(newcomer, 40, Now.AddDays(-2));
        await service.RefreshCustomersAsync([customers[4].Id, deleting.Id, customers[12].Id, newcomer.Id], Now.AddDays(-2));
        //and what no event told: an order placed since the last refresh, a customer deleted (no longer scored)
        var missed = await CustomerAsync();
        await OrderAsync(missed, 75, Now.AddDays(-1), storeId: 2);
        var deletedCustomer = customers[1];
        deletedCustomer.Deleted = true;
        await Repository<Customer>().UpdateAsync(deletedCustomer);

        await service.RefreshAllAsync(Now);
        Assert.That(settings.OrderStatisticsRefreshedOnUtc, Is.EqualTo(Now));
        var inPlace = await RowsAsync();

        //in place: rows that stay keep their ids
        var kept = before.Keys.Where(inPlace.ContainsKey).ToList();
        Assert.That(kept, Is.Not.Empty);
        Assert.That(kept.Select(key => inPlace[key].Id), Is.EqualTo(kept.Select(key => before[key].Id)));

        Assert.That(inPlace.Keys.Where(k => k.CustomerId == deleting.Id), Is.Empty, "a customer without orders has no rows");
        Assert.That(inPlace.ContainsKey((missed.Id, 2)) && inPlace.ContainsKey((missed.Id, 0)), Is.True, "an order no event told of");
        var left = inPlace[(leaving.Id, 0)];
        Assert.That((left.RfmOrderCount, left.RfmTotalSpent, left.RecencyScore, left.FrequencyScore, left.MonetaryScore), Is.EqualTo((0, 0m, 0, 0, 0)));
        Assert.That(inPlace[(deletedCustomer.Id, 0)].RecencyScore, Is.Zero, "a deleted customer is not scored");
        Assert.That(inPlace[(pendingOnly.Id, 0)].OrderCount, Is.Zero);

        await service.RecomputeAllAsync(Now);
        var full = await RowsAsync();

        Assert.That(inPlace.Keys, Is.EquivalentTo(full.Keys));
        foreach (var (key, expected) in full)
        {
            var row = inPlace[key];
            row.Id = expected.Id;
            Assert.That(Figures(row), Is.EqualTo(Figures(expected)), $"row {key}");
        }
    }

    /// <summary>
    /// Buyers over two stores, with items, refunds, cancellations, deleted and pending orders, and a guest
    /// </summary>
    private async Task<List<Customer>> BuyersWithItemsAsync(int count)
    {
        var customers = new List<Customer>();
        for (var i = 0; i < count; i++)
        {
            var customer = await CustomerAsync(guest: i % 7 == 6);
            customers.Add(customer);
            for (var k = 0; k <= i % 4; k++)
            {
                var order = await OrderAsync(customer, 10 * (i + 1) + k, Now.AddDays(-400 + 37 * i + 11 * k).AddHours(k), storeId: 1 + (i + k) % 2,
                    payment: k == 2 ? PaymentStatus.Refunded : PaymentStatus.Paid, status: k == 3 ? OrderStatus.Cancelled : OrderStatus.Complete,
                    deleted: i % 9 == 8 && k == 0);
                for (var p = 0; p <= k % 2; p++)
                    await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = 100 + (i + p) % 5, Quantity = 1 }, false);
            }
        }

        return customers;
    }

    /// <summary>
    /// Rows no orders back: of a customer without orders, and of one whose id is above every customer's
    /// </summary>
    private async Task StaleRowsAsync(int customerIdWithoutOrders)
    {
        foreach (var customerId in new[] { customerIdWithoutOrders, int.MaxValue - 1 })
        {
            await Repository<CustomerOrderStatistics>().InsertAsync(new CustomerOrderStatistics { CustomerId = customerId, StoreId = 0, OrderCount = 3, TotalSpent = 30 }, false);
            await Repository<CustomerDailyPurchases>().InsertAsync(new CustomerDailyPurchases { CustomerId = customerId, StoreId = 1, Day = Now.Date, OrderCount = 1, TotalSpent = 10 }, false);
            await Repository<CustomerPurchasedProduct>().InsertAsync(new CustomerPurchasedProduct { CustomerId = customerId, StoreId = 1, ProductId = 7, LastPurchasedOnUtc = Now }, false);
        }
    }

    /// <summary>
    /// The three figure tables, rows without their ids, in one order
    /// </summary>
    private async Task<List<string>> FigureTablesAsync()
    {
        var statistics = (await Repository<CustomerOrderStatistics>().Table.ToListAsync())
            .Select(row => $"statistics {row.CustomerId}/{row.StoreId} {Figures(row)}");
        var days = (await Repository<CustomerDailyPurchases>().Table.ToListAsync())
            .Select(row => $"day {row.CustomerId}/{row.StoreId}/{row.Day:yyyy-MM-dd} {row.OrderCount} {row.TotalSpent:0.0000}");
        var products = (await Repository<CustomerPurchasedProduct>().Table.ToListAsync())
            .Select(row => $"product {row.CustomerId}/{row.StoreId}/{row.ProductId} {row.LastPurchasedOnUtc:O}");

        return statistics.Concat(days).Concat(products).Order(StringComparer.Ordinal).ToList();
    }

    [Test]
    public async Task ARecomputeInRangesOfCustomerIdsWritesWhatARecomputeInOneRangeWrites()
    {
        var settings = new CustomerSegmentsSettings();
        await BuyersWithItemsAsync(20);
        var withoutOrders = await CustomerAsync();
        await StaleRowsAsync(withoutOrders.Id);

        await Statistics(settings).RecomputeAllAsync(Now);
        var inOneRange = await FigureTablesAsync();
        Assert.That(inOneRange.Count(row => row.StartsWith("product ")), Is.GreaterThan(20), "the orders' items are in");
        Assert.That(inOneRange.Where(row => row.Contains($" {withoutOrders.Id}/") || row.Contains($" {int.MaxValue - 1}/")), Is.Empty, "stale rows are gone");

        //ranges of 3 ids: every customer shares a range with others or sits at its edge
        await StaleRowsAsync(withoutOrders.Id);
        var transactions = 0;
        var counting = new Mock<ISegmentMembershipTransaction>();
        counting.Setup(transaction => transaction.RunAsync(It.IsAny<Func<Task>>())).Returns((Func<Task> writeAsync) =>
        {
            transactions++;
            return new SegmentMembershipTransaction(Repository<Segment>()).RunAsync(writeAsync);
        });
        var ranged = new CustomerOrderStatisticsService(settings, Shop.DataProvider, new Mock<ISettingService>().Object, Repository<Customer>(),
            Repository<CustomerCustomerRoleMapping>(), Repository<CustomerRole>(), Repository<Order>(), Repository<CustomerOrderStatistics>(), counting.Object,
            Shop.NewDailyPurchasesService(settings), Shop.NewPurchasedProductService(settings)) { RecomputeCustomerIdsPerRange = 3 };

        await ranged.RecomputeAllAsync(Now);

        Assert.That(await FigureTablesAsync(), Is.EqualTo(inOneRange));
        Assert.That(transactions, Is.EqualTo(withoutOrders.Id / 3 + 1), "one transaction per range, the last one open-ended");
        Assert.That(CustomerOrderStatisticsService.AreCurrentFor(settings), Is.True);
    }

    [Test]
    public async Task ARecomputeThatFailsInARangeLeavesTheFiguresNotCurrentAndTheNextRecomputeCompletesThem()
    {
        var settings = new CustomerSegmentsSettings();
        var customers = await BuyersWithItemsAsync(12);
        await Statistics(settings).RecomputeAllAsync(Now);
        var expected = await FigureTablesAsync();
        await Repository<CustomerPurchasedProduct>().DeleteAsync(_ => true);
        await Repository<CustomerOrderStatistics>().DeleteAsync(_ => true);

        //the products of the range of the seventh customer cannot be written (a lost connection, a timeout)
        var real = Shop.NewPurchasedProductService(settings);
        var failingFrom = customers[6].Id;
        var failing = new Mock<ICustomerPurchasedProductService>();
        failing.Setup(service => service.RecomputeCustomersAsync(It.IsAny<CustomerIdRange>())).Returns((CustomerIdRange range) =>
            range.To is not { } to || to > failingFrom ? throw new InvalidOperationException("connection lost") : real.RecomputeCustomersAsync(range));
        var failingService = new CustomerOrderStatisticsService(settings, Shop.DataProvider, new Mock<ISettingService>().Object, Repository<Customer>(),
            Repository<CustomerCustomerRoleMapping>(), Repository<CustomerRole>(), Repository<Order>(), Repository<CustomerOrderStatistics>(),
            new SegmentMembershipTransaction(Repository<Segment>()), Shop.NewDailyPurchasesService(settings), failing.Object)
        {
            RecomputeCustomerIdsPerRange = 3
        };

        Assert.ThrowsAsync<InvalidOperationException>(() => failingService.RecomputeAllAsync(Now));

        Assert.That(CustomerOrderStatisticsService.AreCurrentFor(settings), Is.False, "rules do not read half-written figures as current");
        Assert.That(settings.OrderStatisticsRecomputeStartedOnUtc, Is.Null, "order events no longer queue their customers");
        var written = await Repository<CustomerOrderStatistics>().Table.Select(row => row.CustomerId).Distinct().ToListAsync();
        Assert.That(written, Does.Contain(customers[0].Id), "the ranges before it are written");
        Assert.That(written.Where(id => id > failingFrom + 3), Is.Empty, "no range after it runs");

        var statistics = Statistics(settings);
        statistics.RecomputeCustomerIdsPerRange = 5;
        await statistics.RefreshAllAsync(Now);

        Assert.That(await FigureTablesAsync(), Is.EqualTo(expected));
        Assert.That(CustomerOrderStatisticsService.AreCurrentFor(settings), Is.True);
    }

    [Test]
    public async Task ARefreshRecomputesEverythingWhenTheStatisticsAreNotCurrentAndOnlyCustomersThatMovedOtherwise()
    {
        var settings = new CustomerSegmentsSettings();
        var service = Statistics(settings);
        var quiet = await CustomerAsync();
        await OrderAsync(quiet, 100, Now.AddDays(-30));
        var moving = await CustomerAsync();
        await OrderAsync(moving, 100, Now.AddDays(-settings.RfmWindowDays).AddHours(-1));

        await service.RefreshAllAsync(Now.AddDays(-1));
        Assert.That(service.AreCurrent(), Is.True);

        //a figure no order explains: in place, only the customers whose orders crossed the window are recomputed
        await Repository<CustomerOrderStatistics>().Table.Where(s => s.CustomerId == quiet.Id).Set(s => s.TotalSpent, 1m).UpdateAsync();
        await service.RefreshAllAsync(Now);
        var rows = await RowsAsync();
        Assert.That(rows[(quiet.Id, 0)].TotalSpent, Is.EqualTo(1m));
        Assert.That(rows[(moving.Id, 0)].RfmOrderCount, Is.Zero);

        //without the moment of the last refresh (statistics of an earlier version) everything is recomputed
        settings.OrderStatisticsRefreshedOnUtc = null;
        await service.RefreshAllAsync(Now);
        Assert.That((await RowsAsync())[(quiet.Id, 0)].TotalSpent, Is.EqualTo(100m));
        Assert.That(settings.OrderStatisticsRefreshedOnUtc, Is.EqualTo(Now));

        //and after a change of the settings they depend on
        await Repository<CustomerOrderStatistics>().Table.Where(s => s.CustomerId == quiet.Id).Set(s => s.TotalSpent, 1m).UpdateAsync();
        settings.RfmWindowDays = 20;
        Assert.That(service.AreCurrent(), Is.False);
        await service.RefreshAllAsync(Now);
        Assert.That(service.AreCurrent(), Is.True);
        rows = await RowsAsync();
        Assert.That(rows[(quiet.Id, 0)].TotalSpent, Is.EqualTo(100m));
        Assert.That(rows[(quiet.Id, 0)].RfmOrderCount, Is.Zero, "20 days back");
    }

    [Test]
    public async Task TheScheduledRebuildMovesTheRfmWindowInPlace()
    {
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        var rebuild = Rebuild(settings, statistics);
        var nowUtc = DateTime.UtcNow;
        var leaving = await CustomerAsync();
        await OrderAsync(leaving, 500, nowUtc.AddDays(-settings.RfmWindowDays - 5));
        var staying = await CustomerAsync();
        await OrderAsync(staying, 10, nowUtc.AddDays(-20));

        var scored = await SegmentAsync(Rule(RuleFields.RfmMonetary, RuleOperators.GreaterThanOrEqual, 1));
        var buyers = await SegmentAsync(Rule(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 1));
        //ten days ago both bought in the window
        await statistics.RecomputeAllAsync(nowUtc.AddDays(-10));
        await rebuild.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMembersAsync(scored.Id), Is.EquivalentTo(new[] { leaving.Id, staying.Id }));
        var idsBefore = (await RowsAsync()).ToDictionary(pair => pair.Key, pair => pair.Value.Id);

        await rebuild.RebuildTimeDependentSegmentsAsync();

        var rows = await RowsAsync();
        Assert.That(rows.ToDictionary(pair => pair.Key, pair => pair.Value.Id), Is.EqualTo(idsBefore), "refreshed in place");
        Assert.That(rows[(leaving.Id, 0)].RfmOrderCount, Is.Zero);
        Assert.That(rows[(leaving.Id, 0)].MonetaryScore, Is.Zero);
        Assert.That(settings.OrderStatisticsRefreshedOnUtc, Is.GreaterThanOrEqualTo(nowUtc));
        Assert.That(await CurrentMembersAsync(scored.Id), Is.EqualTo(new[] { staying.Id }));
        Assert.That(await CurrentMembersAsync(buyers.Id), Is.EquivalentTo(new[] { leaving.Id, staying.Id }));
    }

    [Test]
    public async Task AnOrderEventRefreshesTheCustomersStatisticsAndMembershipButNotRfmSegments()
    {
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        var rebuild = Rebuild(settings, statistics);
        var customers = new List<Customer>();
        for (var i = 0; i < 5; i++)
        {
            var customer = await CustomerAsync();
            customers.Add(customer);
            await OrderAsync(customer, 10 * (i + 1), DateTime.UtcNow.AddDays(-20 + i));
        }

        var twoOrders = await SegmentAsync(Rule(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 2));
        var topFrequency = await SegmentAsync(Rule(RuleFields.RfmFrequency, RuleOperators.Equal, 5));
        await rebuild.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMembersAsync(twoOrders.Id), Is.Empty);
        var rfmMembers = await CurrentMembersAsync(topFrequency.Id);

        var buyer = customers[0];
        for (var k = 0; k < 3; k++)
            await OrderAsync(buyer, 10, DateTime.UtcNow.AddHours(-1));
        var results = await Reevaluation(settings, statistics).ReevaluateCustomersAsync([buyer.Id], RuleDataSources.Orders);

        Assert.That(await CurrentMembersAsync(twoOrders.Id), Is.EqualTo(new[] { buyer.Id }));
        Assert.That((await RowsAsync())[(buyer.Id, 0)].OrderCount, Is.EqualTo(4));
        //RFM scores are re-ranked by the scheduled rebuild, not per order: the RFM segment was not re-evaluated
        Assert.That(results.Select(r => r.SegmentId), Is.EqualTo(new[] { twoOrders.Id }));
        Assert.That(await CurrentMembersAsync(topFrequency.Id), Is.EqualTo(rfmMembers));

        await rebuild.RebuildTimeDependentSegmentsAsync();
        Assert.That(await CurrentMembersAsync(topFrequency.Id), Does.Contain(buyer.Id));
    }

    [Test]
    public async Task OrderEventsKeepCurrentStatisticsUpToDateWhileOnlyRfmSegmentsReadThem()
    {
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        var rebuild = Rebuild(settings, statistics);
        var buyer = await CustomerAsync();
        await OrderAsync(buyer, 10, DateTime.UtcNow.AddDays(-20));
        await SegmentAsync(Rule(RuleFields.RfmFrequency, RuleOperators.Equal, 5));
        await rebuild.RebuildAllSegmentsAsync();
        Assert.That(statistics.AreCurrent(), Is.True);

        for (var k = 0; k < 3; k++)
            await OrderAsync(buyer, 10, DateTime.UtcNow.AddHours(-1));
        await Reevaluation(settings, statistics).ReevaluateCustomersAsync([buyer.Id], RuleDataSources.Orders);

        Assert.That((await RowsAsync())[(buyer.Id, 0)].OrderCount, Is.EqualTo(4));
        //a segment added later reads the statistics as they are (current ones are not recomputed)
        var twoOrders = await SegmentAsync(Rule(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 2));
        await rebuild.RebuildSegmentAsync(twoOrders);
        Assert.That(await CurrentMembersAsync(twoOrders.Id), Is.EqualTo(new[] { buyer.Id }));
    }

    [Test]
    public async Task ReevaluatingAFewCustomersInSeveralSegmentsAgreesWithTheRules()
    {
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        var rebuild = Rebuild(settings, statistics);
        var builder = Builder(settings);
        var customers = new List<Customer>();
        for (var i = 0; i < 6; i++)
        {
            var customer = await CustomerAsync();
            customers.Add(customer);
            for (var k = 0; k < i % 3; k++)
                await OrderAsync(customer, 40, DateTime.UtcNow.AddDays(-10 - k));
        }

        var rules = new[]
        {
            Rule(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 2),
            Rule(RuleFields.TotalSpent, RuleOperators.GreaterThanOrEqual, 100),
            Rule(RuleFields.OrderCount, RuleOperators.Equal, 0),
            Rule(RuleFields.SpentInPeriod, RuleOperators.LessThan, 50, periodDays: 30)
        };
        var segments = new List<Segment>();
        foreach (var rule in rules)
            segments.Add(await SegmentAsync(rule));
        await rebuild.RebuildAllSegmentsAsync();

        //two customers order (one enters and leaves segments, one changes nothing that matters), one did not
        await OrderAsync(customers[0], 40, DateTime.UtcNow.AddHours(-2));
        await OrderAsync(customers[1], 200, DateTime.UtcNow.AddHours(-1));
        await OrderAsync(customers[4], 5, DateTime.UtcNow.AddDays(-100));
        var results = await Reevaluation(settings, statistics).ReevaluateCustomersAsync([customers[0].Id, customers[1].Id, customers[4].Id], RuleDataSources.Orders);

        Assert.That(results.Select(r => r.SegmentId), Is.EquivalentTo(segments.Select(s => s.Id)));
        for (var i = 0; i < segments.Count; i++)
        {
            var expected = (await (await builder.BuildMatchingCustomerIdsQueryAsync(rules[i], 0, DateTime.UtcNow)).ToListAsync()).Order().ToArray();
            Assert.That(await CurrentMembersAsync(segments[i].Id), Is.EqualTo(expected), $"segment {i}");
        }

        var entered = results.ToDictionary(r => r.SegmentId, r => (r.Entered, r.Left));
        Assert.That(entered[segments[2].Id], Is.EqualTo((0, 1)), "customer 0 has orders now");
        Assert.That(entered[segments[1].Id], Is.EqualTo((1, 0)), "customer 1 spent 200");
    }

    #region Services

    [Test]
    public async Task ARebuildOfASegmentOnThePurchasesOfAPeriodAloneFillsTheStatisticsAndThePurchasesPerDay()
    {
        var customer = await CustomerAsync();
        await OrderAsync(customer, 100, DateTime.UtcNow.AddDays(-3));
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        var segment = await SegmentAsync(Rule(RuleFields.SpentInPeriod, RuleOperators.GreaterThanOrEqual, 100m, 30));
        Assert.That(statistics.AreCurrent(), Is.False, "never filled");

        await Rebuild(settings, statistics).RebuildSegmentAsync(segment);

        Assert.That(statistics.AreCurrent(), Is.True, "filled for the rule on the purchases of a period");
        Assert.That(await Repository<CustomerDailyPurchases>().Table.Where(d => d.CustomerId == customer.Id).Select(d => d.TotalSpent).ToListAsync(),
            Is.EqualTo(new[] { 100m }));
        Assert.That(await CurrentMembersAsync(segment.Id), Is.EqualTo(new[] { customer.Id }));
    }

    private SegmentRuleQueryBuilder Builder(CustomerSegmentsSettings settings) => Shop.NewRuleQueryBuilder(settings);

    private static (RuleFieldCatalog Catalog, SegmentRuleSerializer Serializer, SegmentRuleValidator Validator) RuleServices()
    {
        var catalog = new RuleFieldCatalog();
        var serializer = new SegmentRuleSerializer();
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => key);
        return (catalog, serializer, new SegmentRuleValidator(catalog, serializer, new Mock<ISegmentService>().Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), Rules.KnownValues.All()));
    }

    private SegmentRebuildService Rebuild(CustomerSegmentsSettings settings, ICustomerOrderStatisticsService statistics)
    {
        var (catalog, serializer, validator) = RuleServices();
        return new SegmentRebuildService(new Mock<ILogger>().Object, DataProvider, Repository<Segment>(), Repository<SegmentMembership>(),
            new Mock<ISegmentCacheInvalidator>().Object, Builder(settings), serializer, validator, new SegmentRuleAnalyzer(catalog), statistics,
            new SegmentMembershipTransaction(Repository<Segment>()),
            new SegmentMembershipSynchronizer(DataProvider, Repository<Customer>(), Repository<SegmentMembership>()));
    }

    private SegmentReevaluationService Reevaluation(CustomerSegmentsSettings settings, ICustomerOrderStatisticsService statistics)
    {
        var (catalog, serializer, validator) = RuleServices();
        return new SegmentReevaluationService(new Mock<ILogger>().Object, DataProvider, Repository<Segment>(), Repository<SegmentMembership>(),
            new Mock<ISegmentCacheInvalidator>().Object, Builder(settings), serializer, validator, new SegmentRuleAnalyzer(catalog), statistics,
            new SegmentMembershipTransaction(Repository<Segment>()),
            new ActiveSegmentReader(Repository<Segment>(), new Discounts.InMemoryStaticCacheManager()), new CustomerReevaluationLock());
    }

    private async Task<Segment> SegmentAsync(SegmentRule rule)
    {
        var segment = new Segment
        {
            Name = "S", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = new SegmentRuleSerializer().Serialize(rule),
            RuleSchemaVersion = SegmentRule.CurrentSchemaVersion, Active = true, CreatedOnUtc = Now, UpdatedOnUtc = Now
        };
        await Repository<Segment>().InsertAsync(segment);
        return segment;
    }

    private async Task<int[]> CurrentMembersAsync(int segmentId) =>
        (await Repository<SegmentMembership>().Table.Where(m => m.SegmentId == segmentId && m.LeftOnUtc == null).Select(m => m.CustomerId).ToListAsync())
        .Order().ToArray();

    private static SegmentRule Rule(string field, string op, object value, int? periodDays = null) => new()
    {
        Root = new RuleGroup
        {
            Children = [new RuleCondition { Field = field, Operator = op, Values = [JsonSerializer.SerializeToElement(value)], PeriodDays = periodDays }]
        }
    };

    private static async Task<int[]> RunAsync(SegmentRuleQueryBuilder builder, SegmentRule rule) =>
        (await (await builder.BuildMatchingCustomerIdsQueryAsync(rule, 0, Now)).ToListAsync()).Order().ToArray();

    #endregion
}
