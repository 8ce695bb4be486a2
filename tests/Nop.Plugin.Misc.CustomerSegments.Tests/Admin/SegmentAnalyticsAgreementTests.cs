using LinqToDB;
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
/// The analytics checked against what the rest of the plugin says about the same members
/// </summary>
public class SegmentAnalyticsAgreementTests : DatabaseTestBase
{
    private static readonly DateTime Now = new(2026, 6, 30, 12, 0, 0, DateTimeKind.Utc);

    private CustomerSegmentsSettings _settings;
    private SegmentAnalyticsService _service;
    private AdminTestData _data;

    public SegmentAnalyticsAgreementTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public async Task ResetAsync()
    {
        foreach (var clear in new Func<Task>[]
                 {
                     () => Repository<CustomerOrderStatistics>().DeleteAsync(_ => true), () => Repository<CustomerDailyPurchases>().DeleteAsync(_ => true),
                     () => Repository<CustomerPurchasedProduct>().DeleteAsync(_ => true),
                     () => Repository<Order>().DeleteAsync(_ => true), () => Repository<SegmentMembership>().DeleteAsync(_ => true),
                     () => Repository<Segment>().DeleteAsync(_ => true), () => Repository<CustomerCustomerRoleMapping>().DeleteAsync(_ => true),
                     () => Repository<Customer>().DeleteAsync(_ => true)
                 })
            await clear();

        _data = new AdminTestData(Shop);
        _settings = new CustomerSegmentsSettings { RfmWindowDays = 365 };
        _service = new SegmentAnalyticsService(_settings, Repository<Customer>(), Repository<SegmentMembership>(), Repository<Order>(),
            Repository<CustomerRole>(), Repository<CustomerCustomerRoleMapping>(), Repository<CustomerOrderStatistics>(), Repository<CustomerDailyPurchases>(),
            new StoreTimeZoneDateTimeHelper());
    }

    /// <summary>
    /// The service as it reads while the order statistics are not current: every figure from the orders
    /// </summary>
    private SegmentAnalyticsService FromOrders(TimeZoneInfo zone = null) =>
        new(new CustomerSegmentsSettings { RfmWindowDays = 365 }, Repository<Customer>(), Repository<SegmentMembership>(), Repository<Order>(),
            Repository<CustomerRole>(), Repository<CustomerCustomerRoleMapping>(), Repository<CustomerOrderStatistics>(), Repository<CustomerDailyPurchases>(),
            zone == null ? new StoreTimeZoneDateTimeHelper() : new StoreTimeZoneDateTimeHelper(zone));

    private CustomerOrderStatisticsService Statistics() => Shop.NewOrderStatisticsService(_settings, new Mock<ISettingService>().Object);

    /// <summary>
    /// The grid is titled "Recency score" / "Frequency score", the names of the rule fields "RFM recency score" and
    /// "RFM frequency score" (ranked among the store's buyers, kept in the order statistics): a member whose scores are
    /// R5 F5 for the rules belongs in the cell R5 F5 of his segment's grid
    /// </summary>
    [Test]
    public async Task TheRfmGridPlacesMembersByTheRfmScoresTheRulesRead()
    {
        var segment = await _data.SegmentAsync("RFM");
        var customers = new List<Customer>();
        for (var i = 0; i < 5; i++)
        {
            var customer = await _data.CustomerAsync($"c{i}@example.com");
            customers.Add(customer);
            await _data.MembershipAsync(segment.Id, customer.Id, Now.AddDays(-1));
        }

        //the best customer: two orders, the last 10 days ago; the others one order each, longer ago
        await _data.OrderAsync(customers[0].Id, 100m, Now.AddDays(-10));
        await _data.OrderAsync(customers[0].Id, 100m, Now.AddDays(-20));
        for (var i = 1; i < 5; i++)
            await _data.OrderAsync(customers[i].Id, 50m, Now.AddDays(-30 - 10 * i));

        await Statistics().RecomputeAllAsync(Now);
        var scores = await Repository<CustomerOrderStatistics>().Table.Where(s => s.StoreId == 0).ToListAsync();
        var expected = new int[5, 5];
        foreach (var row in scores)
            expected[row.RecencyScore - 1, row.FrequencyScore - 1]++;
        var best = scores.Single(s => s.CustomerId == customers[0].Id);
        Assert.That((best.RecencyScore, best.FrequencyScore), Is.EqualTo((5, 5)), "the rules' scores of the best customer");

        var grid = await _service.GetRfmGridAsync(segment.Id, 0);

        Assert.That(grid.Counts[4, 4], Is.EqualTo(1), "the member with R5 F5 in the cell R5 F5");
        Assert.That(grid.Counts, Is.EqualTo(expected), "the grid counts the members by the scores a segment on RFM scores selects");
    }

    /// <summary>
    /// "Orders per customer" of the whole shop beside the members': a segment holding every customer the shop-wide
    /// figures are about has the shop's figure
    /// </summary>
    [Test]
    public async Task ASegmentOfEveryShopCustomerHasTheShopsOrdersPerCustomer()
    {
        var segment = await _data.SegmentAsync("Everyone");
        var alice = await _data.CustomerAsync("alice@example.com");
        var bob = await _data.CustomerAsync("bob@example.com");
        var guest = await _data.GuestAsync();
        await _data.MembershipAsync(segment.Id, alice.Id, Now.AddDays(-1));
        await _data.MembershipAsync(segment.Id, bob.Id, Now.AddDays(-1));

        await _data.OrderAsync(alice.Id, 100m, Now.AddDays(-10));
        await _data.OrderAsync(bob.Id, 100m, Now.AddDays(-10));
        //a guest's checkout: the guest is no shop customer for the figures (guests are not included)
        await _data.OrderAsync(guest.Id, 100m, Now.AddDays(-3));
        await _data.OrderAsync(guest.Id, 100m, Now.AddDays(-2));

        var share = await _service.GetRevenueShareAsync(segment.Id, 0, null, null);

        Assert.That(share.ShopCustomers, Is.EqualTo(2), "alice and bob");
        Assert.That(share.OrdersPerMember, Is.EqualTo(1m));
        Assert.That(share.OrdersPerShopCustomer, Is.EqualTo(share.OrdersPerMember),
            "every shop customer is a member: 2 orders of 2 customers, not the guest's orders over alice and bob");
    }

    /// <summary>
    /// The share of all time is read from the order statistics while they are current: it is the share the orders give
    /// over a period holding every order, for all stores and for each
    /// </summary>
    [Test]
    public async Task TheShareOfAllTimeIsTheShareOfAPeriodHoldingEveryOrder()
    {
        var segment = await _data.SegmentAsync("Some");
        var alice = await _data.CustomerAsync("alice@example.com");
        var bob = await _data.CustomerAsync("bob@example.com");
        var carol = await _data.CustomerAsync("carol@example.com");
        var guest = await _data.GuestAsync();
        await _data.MembershipAsync(segment.Id, alice.Id, Now.AddDays(-5));
        await _data.MembershipAsync(segment.Id, bob.Id, Now.AddDays(-5));
        await _data.MembershipAsync(segment.Id, carol.Id, Now.AddDays(-9), Now.AddDays(-6));

        await _data.OrderAsync(alice.Id, 120.5m, Now.AddDays(-400));
        await _data.OrderAsync(alice.Id, 80m, Now.AddDays(-3), storeId: 2);
        await _data.OrderAsync(alice.Id, 999m, Now.AddDays(-2), PaymentStatus.Pending);
        await _data.OrderAsync(alice.Id, 999m, Now.AddDays(-2), orderStatus: OrderStatus.Cancelled);
        await _data.OrderAsync(alice.Id, 999m, Now.AddDays(-2), deleted: true);
        await _data.OrderAsync(bob.Id, 45.25m, Now.AddDays(-30));
        await _data.OrderAsync(carol.Id, 300m, Now.AddDays(-20));
        await _data.OrderAsync(carol.Id, 60m, Now.AddDays(-1), storeId: 2);
        await _data.OrderAsync(guest.Id, 70m, Now.AddDays(-1));
        await Statistics().RecomputeAllAsync(Now);
        Assert.That(CustomerOrderStatisticsService.AreCurrentFor(_settings), Is.True, "the share of all time reads the statistics");

        foreach (var storeId in new[] { 0, 1, 2 })
        {
            var ofAllTime = await _service.GetRevenueShareAsync(segment.Id, storeId, null, null);
            var ofEveryOrder = await FromOrders().GetRevenueShareAsync(segment.Id, storeId, Now.AddYears(-10), Now.AddDays(1));

            Assert.That(ofAllTime, Is.EqualTo(ofEveryOrder), $"store {storeId}");
            Assert.That(ofAllTime.ShopOrders, Is.GreaterThan(ofAllTime.MemberOrders), $"store {storeId}: the shop buys besides the members");
        }

        var all = await _service.GetRevenueShareAsync(segment.Id, 0, null, null);
        Assert.That((all.MemberOrders, all.MemberRevenue), Is.EqualTo((3, 245.75m)), "alice's two purchases and bob's one");
        Assert.That((all.ShopCustomerOrders, all.ShopOrders, all.ShopRevenue), Is.EqualTo((5, 6, 675.75m)), "the guest's purchase is the shop's, not a shop customer's");
    }

    /// <summary>
    /// A period's share is read from the purchases per day for its whole UTC days and from the orders for the rest of
    /// its first and last day while the figures are current, from the orders otherwise: both give the same figures for
    /// every kind of period, for all stores and for each, among orders that are no purchases. The store's time zone
    /// (not UTC here) plays no part: a period is two moments.
    /// </summary>
    [Test]
    public async Task AShareOfAPeriodFromThePurchasesPerDayIsTheShareFromTheOrders()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test", TimeSpan.FromHours(5.5), "Test", "Test");
        var fromDays = new SegmentAnalyticsService(_settings, Repository<Customer>(), Repository<SegmentMembership>(), Repository<Order>(),
            Repository<CustomerRole>(), Repository<CustomerCustomerRoleMapping>(), Repository<CustomerOrderStatistics>(), Repository<CustomerDailyPurchases>(),
            new StoreTimeZoneDateTimeHelper(zone));
        var fromOrders = FromOrders(zone);

        var segment = await _data.SegmentAsync("Some");
        var alice = await _data.CustomerAsync("alice@example.com");
        var bob = await _data.CustomerAsync("bob@example.com");
        var carol = await _data.CustomerAsync("carol@example.com");
        var guest = await _data.GuestAsync();
        var deleted = await _data.CustomerAsync("deleted@example.com", deleted: true);
        await _data.MembershipAsync(segment.Id, alice.Id, Now.AddDays(-40));
        await _data.MembershipAsync(segment.Id, bob.Id, Now.AddDays(-40));
        await _data.MembershipAsync(segment.Id, carol.Id, Now.AddDays(-40), Now.AddDays(-30));

        //from the 10th to the 16th: orders at midnight, on the periods' edges and between, of every customer (a guest and a
        //deleted customer among them, no shop customers), in two stores
        //(and none), a third of them no purchase (pending, cancelled or deleted)
        var firstDay = new DateTime(2026, 6, 10, 0, 0, 0, DateTimeKind.Utc);
        var customers = new[] { alice, bob, carol, guest, deleted };
        var times = new[] { TimeSpan.Zero, new TimeSpan(3, 0, 0), new TimeSpan(9, 15, 0), new TimeSpan(14, 45, 0), new TimeSpan(20, 0, 0), new TimeSpan(23, 59, 59) };
        var n = 0;
        for (var day = 0; day < 7; day++)
        {
            foreach (var time in times)
            {
                n++;
                var status = (n % 9) switch
                {
                    2 => (PaymentStatus.Pending, OrderStatus.Pending, false),
                    5 => (PaymentStatus.Paid, OrderStatus.Cancelled, false),
                    8 => (PaymentStatus.Paid, OrderStatus.Complete, true),
                    _ => (PaymentStatus.Paid, OrderStatus.Complete, false)
                };
                await _data.OrderAsync(customers[n % customers.Length].Id, 10m + n + 0.25m * (n % 4), firstDay.AddDays(day) + time,
                    status.Item1, status.Item2, storeId: n % 11 == 0 ? 0 : 1 + n % 2, deleted: status.Item3);
            }
        }

        await Statistics().RecomputeAllAsync(Now);
        Assert.That(CustomerOrderStatisticsService.AreCurrentFor(_settings), Is.True, "the purchases per day are read");
        Assert.That(await Repository<CustomerDailyPurchases>().Table.CountAsync(), Is.GreaterThan(0));

        DateTime at(int day, int hours, int minutes = 0) => firstDay.AddDays(day).AddHours(hours).AddMinutes(minutes);
        var periods = new (string Name, DateTime? From, DateTime? To)[]
        {
            ("partial first and last day", at(1, 9, 15), at(5, 14, 45)),
            ("partial first and last day, edges between orders", at(1, 10), at(5, 12)),
            ("whole days", at(1, 0), at(5, 0)),
            ("whole days and a partial last day", at(1, 0), at(5, 20)),
            ("a partial first day and whole days", at(1, 20), at(5, 0)),
            ("inside one day", at(2, 3), at(2, 20)),
            ("across one midnight, no whole day", at(2, 20), at(3, 9, 15)),
            ("one whole day", at(3, 0), at(4, 0)),
            ("since a moment", at(2, 14, 45), null),
            ("until a moment", null, at(4, 3)),
            ("empty", at(3, 9, 15), at(3, 9, 15)),
            ("ending before it starts", at(5, 3), at(2, 20)),
            ("without purchases", at(20, 0), at(25, 12))
        };

        var partial = await fromOrders.GetRevenueShareAsync(segment.Id, 0, at(1, 9, 15), at(5, 14, 45));
        Assert.That(partial.MemberOrders, Is.GreaterThan(0), "members buy in the period");
        Assert.That(partial.ShopCustomerOrders, Is.GreaterThan(partial.MemberOrders), "carol buys besides the members");
        Assert.That(partial.ShopOrders, Is.GreaterThan(partial.ShopCustomerOrders), "the guest and the deleted customer buy besides the shop customers");

        foreach (var storeId in new[] { 0, 1, 2 })
        {
            foreach (var (name, from, to) in periods)
            {
                var expected = await fromOrders.GetRevenueShareAsync(segment.Id, storeId, from, to);
                var actual = await fromDays.GetRevenueShareAsync(segment.Id, storeId, from, to);

                Assert.That(actual, Is.EqualTo(expected), $"store {storeId}, {name}");
            }
        }
    }

    /// <summary>
    /// A date of birth in the future is no age from 0 to 18: the rule "age between 0 and 17" does not select it
    /// (SegmentRuleQueryBuilder.AgeAtLeast(0) needs a birth on or before today), so the bar "0 - 18" must not count it either
    /// </summary>
    [Test]
    public async Task AnUnbornMemberIsNotCountedAmongTheZeroToEighteenYearOlds()
    {
        var segment = await _data.SegmentAsync("Ages");
        var unborn = await _data.CustomerAsync("unborn@example.com", Now.Date.AddYears(1));
        await _data.MembershipAsync(segment.Id, unborn.Id, Now.AddDays(-1));

        var rule = Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson.Condition(Services.Rules.RuleFields.Age,
            Services.Rules.RuleOperators.Between, 0, 17);
        var builder = Shop.NewRuleQueryBuilder(new CustomerSegmentsSettings { IncludeGuests = true });
        var query = await builder.BuildMatchingCustomerIdsQueryAsync(new Services.Rules.SegmentRule
        {
            Root = new Services.Rules.RuleGroup { Match = Services.Rules.GroupMatch.All, Children = [rule] }
        }, 0, Now);
        Assert.That(await query.ToListAsync(), Is.Empty, "the rule 'age between 0 and 17' does not select him");

        var buckets = await _service.GetHistogramAsync(segment.Id, 0, SegmentHistogramField.Age, Now, null);

        Assert.That(buckets.Single(b => b.From == 0).Members, Is.Zero, "the bar 0 - 18");
    }

    /// <summary>
    /// Members over time counts the days of the store's time zone, as the rules and the members list show dates: ten
    /// hours ahead of UTC, and five and a half (where a day starts at a half hour of UTC)
    /// </summary>
    [TestCase(10.0, "2026-06-29T22:00:00", "2026-06-30T13:59:00", "2026-06-30T14:00:00")]
    [TestCase(5.5, "2026-06-29T18:30:00", "2026-06-30T18:29:00", "2026-06-30T18:30:00")]
    [TestCase(0.0, "2026-06-30T00:00:00", "2026-06-30T23:59:00", "2026-07-01T00:00:00")]
    public async Task MembersOverTimeCountsTheStoresDays(double hoursAhead, string firstOfThe30th, string lastOfThe30th, string firstOfThe1st)
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test", TimeSpan.FromHours(hoursAhead), "Test", "Test");
        var service = new SegmentAnalyticsService(_settings, Repository<Customer>(), Repository<SegmentMembership>(), Repository<Order>(),
            Repository<CustomerRole>(), Repository<CustomerCustomerRoleMapping>(), Repository<CustomerOrderStatistics>(), Repository<CustomerDailyPurchases>(),
            new StoreTimeZoneDateTimeHelper(zone));
        var segment = await _data.SegmentAsync("Daily");
        DateTime utc(string moment) => DateTime.Parse(moment, System.Globalization.CultureInfo.InvariantCulture);
        //one member from the 30th's first minute, one from its last, one from the 1st's first: the last leaves on the 1st
        var a = await _data.CustomerAsync("a@example.com");
        var b = await _data.CustomerAsync("b@example.com");
        var c = await _data.CustomerAsync("c@example.com");
        await _data.MembershipAsync(segment.Id, a.Id, utc(firstOfThe30th));
        await _data.MembershipAsync(segment.Id, b.Id, utc(lastOfThe30th));
        await _data.MembershipAsync(segment.Id, c.Id, utc(firstOfThe1st), utc(firstOfThe1st).AddMinutes(30));

        var points = await service.GetSizeOverTimeAsync(segment.Id, utc(firstOfThe30th).AddDays(-1), utc(firstOfThe1st).AddHours(1));

        Assert.That(points.Select(point => (point.Day.ToString("MM-dd"), point.Members)),
            Is.EqualTo(new[] { ("06-29", 0), ("06-30", 2), ("07-01", 2) }));
    }
}
