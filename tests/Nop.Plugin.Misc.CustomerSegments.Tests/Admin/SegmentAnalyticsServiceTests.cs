using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// The analytics on a small shop whose figures are worked out by hand
/// </summary>
public class SegmentAnalyticsServiceTests : DatabaseTestBase
{
    private static readonly DateTime Now = new(2026, 6, 30, 12, 0, 0);

    private CustomerSegmentsSettings _settings;
    private SegmentAnalyticsService _service;
    private AdminTestData _data;
    private Segment _vip;
    private Segment _other;
    private Segment _empty;
    private Customer _alice, _bob, _carol, _dave, _guest;

    public SegmentAnalyticsServiceTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();

        var data = _data = new AdminTestData(Shop);

        _alice = await data.CustomerAsync("alice@example.com", new DateTime(1990, 7, 1));   //35 on Now
        _bob = await data.CustomerAsync("bob@example.com", new DateTime(2008, 6, 30));      //18 exactly on Now
        _carol = await data.CustomerAsync("carol@example.com", new DateTime(2008, 7, 1));   //17 on Now
        _dave = await data.CustomerAsync("dave@example.com");                               //no birthday
        _guest = await data.GuestAsync();
        await data.CustomerAsync("deleted@example.com", deleted: true);
        await data.CustomerAsync("system@example.com", systemAccount: true);

        //alice: 3 paid orders, the last 10 days ago; bob: one 200 days ago; carol: only a pending and a cancelled one
        await data.OrderAsync(_alice.Id, 100m, Now.AddDays(-10));
        await data.OrderAsync(_alice.Id, 50m, Now.AddDays(-40));
        await data.OrderAsync(_alice.Id, 30m, Now.AddDays(-400));
        await data.OrderAsync(_bob.Id, 20m, Now.AddDays(-200));
        await data.OrderAsync(_carol.Id, 999m, Now.AddDays(-5), PaymentStatus.Pending);
        await data.OrderAsync(_carol.Id, 999m, Now.AddDays(-5), PaymentStatus.Paid, OrderStatus.Cancelled);
        await data.OrderAsync(_dave.Id, 999m, Now.AddDays(-5), deleted: true);
        //not a member: part of the shop's figures only
        await data.OrderAsync(_guest.Id, 300m, Now.AddDays(-3));

        _vip = await data.SegmentAsync("VIP");
        _other = await data.SegmentAsync("Other");
        _empty = await data.SegmentAsync("Empty");

        //members now: alice, bob, carol, dave; eve-like history: guest was a member and left
        await data.MembershipAsync(_vip.Id, _alice.Id, Now.AddDays(-5));
        await data.MembershipAsync(_vip.Id, _bob.Id, Now.AddDays(-3));
        await data.MembershipAsync(_vip.Id, _carol.Id, Now.AddDays(-3));
        await data.MembershipAsync(_vip.Id, _dave.Id, Now.AddDays(-20));
        await data.MembershipAsync(_vip.Id, _guest.Id, Now.AddDays(-20), Now.AddDays(-2));

        await data.MembershipAsync(_other.Id, _alice.Id, Now.AddDays(-1));
        await data.MembershipAsync(_other.Id, _bob.Id, Now.AddDays(-1), Now.AddDays(-1).AddHours(1));
        await data.MembershipAsync(_other.Id, _guest.Id, Now.AddDays(-1));

        _settings = new CustomerSegmentsSettings { RfmWindowDays = 365 };
        _service = new SegmentAnalyticsService(_settings, Repository<Customer>(), Repository<SegmentMembership>(), Repository<Order>(),
            Repository<CustomerRole>(), Repository<CustomerCustomerRoleMapping>(), Repository<CustomerOrderStatistics>(), Repository<CustomerDailyPurchases>(),
            new StoreTimeZoneDateTimeHelper());
        await RecomputeStatisticsAsync();
    }

    /// <summary>
    /// The members' order statistics from their orders, as the plugin keeps them (the histograms of orders read them)
    /// </summary>
    private async Task RecomputeStatisticsAsync() =>
        await Shop.NewOrderStatisticsService(_settings, new Mock<ISettingService>().Object).RecomputeAllAsync(Now);

    [Test]
    public async Task SizeOverTimeCountsMembersAtTheEndOfEachDay()
    {
        var points = await _service.GetSizeOverTimeAsync(_vip.Id, Now.AddDays(-21), Now);

        Assert.That(points, Has.Count.EqualTo(22));
        Assert.That(points.First().Day, Is.EqualTo(Now.AddDays(-21).Date));
        Assert.That(points.First().Members, Is.EqualTo(0));
        //dave and the guest entered 20 days ago
        Assert.That(points.Single(p => p.Day == Now.AddDays(-20).Date).Members, Is.EqualTo(2));
        //alice 5 days ago; bob and carol 3 days ago; the guest left 2 days ago
        Assert.That(points.Single(p => p.Day == Now.AddDays(-5).Date).Members, Is.EqualTo(3));
        Assert.That(points.Single(p => p.Day == Now.AddDays(-3).Date).Members, Is.EqualTo(5));
        Assert.That(points.Single(p => p.Day == Now.AddDays(-2).Date).Members, Is.EqualTo(4));
        Assert.That(points.Last().Members, Is.EqualTo(4));
    }

    [Test]
    public async Task SizeOverTimeStartsFromTheMembersBeforeThePeriod()
    {
        var points = await _service.GetSizeOverTimeAsync(_vip.Id, Now.AddDays(-4), Now.AddDays(-3));

        Assert.That(points.Select(p => p.Members), Is.EqualTo(new[] { 3, 5 }));
    }

    [Test]
    public async Task RevenueShareComparesTheMembersPurchasesWithTheShops()
    {
        var share = await _service.GetRevenueShareAsync(_vip.Id, 0, null, null);

        //members' purchases: alice 100 + 50 + 30, bob 20; pending, cancelled and deleted orders do not count
        Assert.That(share.Members, Is.EqualTo(4));
        Assert.That(share.MemberOrders, Is.EqualTo(4));
        Assert.That(share.MemberRevenue, Is.EqualTo(200m));
        //the shop adds the guest's 300
        Assert.That(share.ShopOrders, Is.EqualTo(5));
        Assert.That(share.ShopRevenue, Is.EqualTo(500m));
        //registered, not deleted, not system accounts: alice, bob, carol, dave
        Assert.That(share.ShopCustomers, Is.EqualTo(4));
        Assert.That(share.RevenueShare, Is.EqualTo(0.4m));
        Assert.That(share.MemberAverageOrderValue, Is.EqualTo(50m));
        Assert.That(share.ShopAverageOrderValue, Is.EqualTo(100m));
        Assert.That(share.OrdersPerMember, Is.EqualTo(1m));
        //the shop customers' own orders (alice 3, bob 1) per shop customer: the guest's order is not theirs
        Assert.That(share.ShopCustomerOrders, Is.EqualTo(4));
        Assert.That(share.OrdersPerShopCustomer, Is.EqualTo(1m));
    }

    [Test]
    public async Task RevenueShareFollowsTheSettingsAndThePeriod()
    {
        _settings.PurchasePaymentStatusIds = [(int)PaymentStatus.Paid, (int)PaymentStatus.Pending];
        _settings.IncludeGuests = true;
        try
        {
            var share = await _service.GetRevenueShareAsync(_vip.Id, 0, Now.AddDays(-60), Now);

            //alice 100 + 50 and carol's pending 999 in the last 60 days
            Assert.That(share.MemberOrders, Is.EqualTo(3));
            Assert.That(share.MemberRevenue, Is.EqualTo(1149m));
            Assert.That(share.ShopRevenue, Is.EqualTo(1449m));
            Assert.That(share.ShopCustomers, Is.EqualTo(5));
        }
        finally
        {
            _settings.PurchasePaymentStatusIds = [(int)PaymentStatus.Paid];
            _settings.IncludeGuests = false;
        }
    }

    [Test]
    public async Task RevenueShareOfAStoreCountsOnlyItsOrders()
    {
        var share = await _service.GetRevenueShareAsync(_vip.Id, 2, null, null);

        Assert.That(share.MemberOrders, Is.Zero);
        Assert.That(share.ShopRevenue, Is.Zero);
        Assert.That(share.RevenueShare, Is.Zero);
    }

    [Test]
    public async Task RfmGridCountsTheMembersByTheScoresOfTheirStore()
    {
        //scores as the last ranking left them: alice R5 F2 and bob R3 F1 in all stores; alice R1 F1 in store 2 only;
        //carol not scored (no purchase in the window); the guest scored but no longer a member
        await Repository<CustomerOrderStatistics>().DeleteAsync(_ => true);
        var scores = new (Customer Customer, int StoreId, int Recency, int Frequency)[]
        {
            (_alice, 0, 5, 2), (_bob, 0, 3, 1), (_alice, 2, 1, 1), (_carol, 0, 0, 0), (_guest, 0, 5, 5)
        };
        await Repository<CustomerOrderStatistics>().InsertAsync(scores.Select(score => new CustomerOrderStatistics
        {
            CustomerId = score.Customer.Id,
            StoreId = score.StoreId,
            RecencyScore = score.Recency,
            FrequencyScore = score.Frequency,
            MonetaryScore = score.Recency
        }).ToList(), false);
        try
        {
            var grid = await _service.GetRfmGridAsync(_vip.Id, 0);
            var storeGrid = await _service.GetRfmGridAsync(_vip.Id, 2);

            Assert.That(grid.Counts[4, 1], Is.EqualTo(1));
            Assert.That(grid.Counts[2, 0], Is.EqualTo(1));
            Assert.That(grid.Counts.Cast<int>().Sum(), Is.EqualTo(2));
            //carol and dave
            Assert.That(grid.WithoutPurchases, Is.EqualTo(2));
            Assert.That(grid.WindowDays, Is.EqualTo(365));
            Assert.That(storeGrid.Counts[0, 0], Is.EqualTo(1));
            Assert.That(storeGrid.Counts.Cast<int>().Sum(), Is.EqualTo(1));
            Assert.That(storeGrid.WithoutPurchases, Is.EqualTo(3));
        }
        finally
        {
            await Repository<CustomerOrderStatistics>().DeleteAsync(_ => true);
            await RecomputeStatisticsAsync();
        }
    }

    [Test]
    public async Task OrderCountHistogramIncludesMembersWithoutOrders()
    {
        var buckets = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.OrderCount, Now, null);

        Assert.That(buckets.Select(b => b.From), Is.EqualTo(SegmentAnalyticsService.OrderCountEdges.Select(e => (decimal?)e)));
        //carol and dave: 0; bob: 1; alice: 3
        Assert.That(buckets[0].Members, Is.EqualTo(2));
        Assert.That(buckets[1].Members, Is.EqualTo(1));
        Assert.That(buckets.Single(b => b.From == 3).Members, Is.EqualTo(1));
        Assert.That(buckets.Sum(b => b.Members), Is.EqualTo(4));
        Assert.That(buckets.Last().To, Is.Null);
    }

    /// <summary>
    /// The histograms of orders read the order statistics while they are current for the settings, the orders
    /// otherwise: before their first refresh (a shop with no segment on orders yet) and after the purchase statuses
    /// changed, until the next refresh
    /// </summary>
    [Test]
    public async Task HistogramsOfOrdersReadTheOrdersUntilTheStatisticsAreCurrent()
    {
        var (key, paid) = (_settings.OrderStatisticsKey, _settings.PurchasePaymentStatusIds);
        await Repository<CustomerOrderStatistics>().DeleteAsync(_ => true);
        _settings.OrderStatisticsKey = null;
        try
        {
            var orders = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.OrderCount, Now, null);
            //carol and dave: 0; bob: 1; alice: 3
            Assert.That(orders.Take(4).Select(b => b.Members), Is.EqualTo(new[] { 2, 1, 0, 1 }));

            //a pending order counts from now on: carol's 999
            _settings.PurchasePaymentStatusIds = [(int)PaymentStatus.Paid, (int)PaymentStatus.Pending];
            orders = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.OrderCount, Now, null);
            var spent = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.TotalSpent, Now, null);

            Assert.That(orders.Take(4).Select(b => b.Members), Is.EqualTo(new[] { 1, 2, 0, 1 }));
            Assert.That(spent.Single(b => b.From == 900m).Members, Is.EqualTo(1));
            Assert.That(spent.Sum(b => b.Members), Is.EqualTo(4));
        }
        finally
        {
            (_settings.OrderStatisticsKey, _settings.PurchasePaymentStatusIds) = (key, paid);
            await RecomputeStatisticsAsync();
        }
    }

    [Test]
    public async Task HistogramsOfAStoreCountOnlyItsPurchases()
    {
        await _data.OrderAsync(_bob.Id, 70m, Now.AddDays(-2), storeId: 2);
        await RecomputeStatisticsAsync();
        try
        {
            var orders = await _service.GetHistogramAsync(_vip.Id, 2, SegmentHistogramField.OrderCount, Now, null);
            var spent = await _service.GetHistogramAsync(_vip.Id, 2, SegmentHistogramField.TotalSpent, Now, null);

            //bob's one order of 70 in store 2; the others bought nothing there
            Assert.That(orders.Select(b => b.Members).Take(2), Is.EqualTo(new[] { 3, 1 }));
            Assert.That(spent[1].From, Is.EqualTo(10m));
            Assert.That(spent.Single(b => b.From == 70m).Members, Is.EqualTo(1));
            Assert.That(spent[0].Members, Is.EqualTo(3));
        }
        finally
        {
            await Repository<Order>().DeleteAsync(order => order.StoreId == 2);
            await RecomputeStatisticsAsync();
        }
    }

    [Test]
    public async Task TotalSpentHistogramUsesRoundBuckets()
    {
        var buckets = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.TotalSpent, Now, null);

        //the largest total is alice's 180: steps of 20
        Assert.That(buckets, Has.Count.EqualTo(SegmentAnalyticsService.SpentBuckets));
        Assert.That(buckets[1].From, Is.EqualTo(20m));
        //carol and dave spent 0, bob 20, alice 180
        Assert.That(buckets[0].Members, Is.EqualTo(2));
        Assert.That(buckets[1].Members, Is.EqualTo(1));
        Assert.That(buckets.Single(b => b.From == 180m).Members, Is.EqualTo(1));
    }

    [Test]
    public async Task AgeHistogramCountsBirthdaysExactlyAndUnknownApart()
    {
        var buckets = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.Age, Now, null);

        Assert.That(buckets.Single(b => b.From == 0).Members, Is.EqualTo(1), "carol is 17");
        Assert.That(buckets.Single(b => b.From == 18).Members, Is.EqualTo(1), "bob turns 18 today");
        Assert.That(buckets.Single(b => b.From == 35).Members, Is.EqualTo(1), "alice is 35");
        Assert.That(buckets.Single(b => b.From == null && b.To == null).Members, Is.EqualTo(1), "dave has no birthday");
        Assert.That(buckets.Sum(b => b.Members), Is.EqualTo(4));
    }

    [Test]
    public async Task TheAdminPicksHowManyOrderCountBucketsOfOneWidth()
    {
        //alice has the most orders, 3: two buckets of 2 orders, four of 1
        var two = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.OrderCount, Now, 2);
        var four = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.OrderCount, Now, 4);

        Assert.That(two.Select(b => (b.From, b.To, b.Members)), Is.EqualTo(new (decimal?, decimal?, int)[] { (0, 2, 3), (2, null, 1) }));
        Assert.That(four.Select(b => (b.From, b.To, b.Members)), Is.EqualTo(new (decimal?, decimal?, int)[] { (0, 1, 2), (1, 2, 1), (2, 3, 0), (3, null, 1) }));
    }

    [Test]
    public async Task TheAdminPicksHowManyTotalSpentBuckets()
    {
        //the largest total is 180: three buckets of 100
        var buckets = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.TotalSpent, Now, 3);

        Assert.That(buckets.Select(b => (b.From, b.To, b.Members)), Is.EqualTo(new (decimal?, decimal?, int)[] { (0, 100, 3), (100, 200, 1), (200, null, 0) }));
    }

    [Test]
    public async Task TheAdminPicksHowManyAgeBucketsAndUnknownStaysApart()
    {
        //the oldest member is 35: four buckets of 10 years
        var buckets = await _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.Age, Now, 4);

        Assert.That(buckets.Select(b => (b.From, b.To, b.Members)), Is.EqualTo(new (decimal?, decimal?, int)[]
        {
            (0, 10, 0), (10, 20, 2), (20, 30, 0), (30, null, 1), (null, null, 1)
        }), "carol 17 and bob 18 share a bucket, alice 35, dave unknown");
    }

    [TestCase(1)]
    [TestCase(0)]
    [TestCase(-5)]
    [TestCase(HistogramBucketLimits.Max + 1)]
    public void ABucketCountOutOfRangeIsRefused(int count)
    {
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _service.GetHistogramAsync(_vip.Id, 0, SegmentHistogramField.TotalSpent, Now, count));
    }

    [Test]
    public async Task AnEmptySegmentGetsTheBucketsItAskedFor()
    {
        var orders = await _service.GetHistogramAsync(_empty.Id, 0, SegmentHistogramField.OrderCount, Now, 5);
        var ages = await _service.GetHistogramAsync(_empty.Id, 0, SegmentHistogramField.Age, Now, 5);

        Assert.That(orders.Select(b => b.From), Is.EqualTo(new decimal?[] { 0, 1, 2, 3, 4 }));
        Assert.That(orders.Sum(b => b.Members) + ages.Sum(b => b.Members), Is.Zero);
        Assert.That(ages, Has.Count.EqualTo(6));
    }

    [Test]
    public async Task OverlapCountsCurrentMembersSharedWithEachOtherSegment()
    {
        var overlap = await _service.GetOverlapAsync(_vip.Id);

        //alice is in both now; bob left Other; the guest left VIP
        Assert.That(overlap, Has.Count.EqualTo(1));
        Assert.That(overlap[0].SegmentId, Is.EqualTo(_other.Id));
        Assert.That(overlap[0].SharedMembers, Is.EqualTo(1));
    }

    [Test]
    public async Task AnEmptySegmentHasZeroesEverywhere()
    {
        var share = await _service.GetRevenueShareAsync(_empty.Id, 0, null, null);
        var grid = await _service.GetRfmGridAsync(_empty.Id, 0);
        var spent = await _service.GetHistogramAsync(_empty.Id, 0, SegmentHistogramField.TotalSpent, Now, null);
        var overlap = await _service.GetOverlapAsync(_empty.Id);

        Assert.That(share.Members, Is.Zero);
        Assert.That(share.MemberRevenue, Is.Zero);
        Assert.That(share.OrdersPerMember, Is.Zero);
        Assert.That(grid.Counts.Cast<int>().Sum() + grid.WithoutPurchases, Is.Zero);
        Assert.That(spent.Sum(b => b.Members), Is.Zero);
        Assert.That(overlap, Is.Empty);
    }

    [TestCase(180, 10, 20)]
    [TestCase(1000, 10, 100)]
    [TestCase(7, 10, 1)]
    [TestCase(0, 10, 1)]
    [TestCase(12345, 10, 2000)]
    public void NiceStepIsOneTwoOrFiveTimesAPowerOfTen(decimal max, int buckets, decimal expected)
    {
        Assert.That(SegmentAnalyticsService.NiceStep(max, buckets), Is.EqualTo(expected));
    }
}
