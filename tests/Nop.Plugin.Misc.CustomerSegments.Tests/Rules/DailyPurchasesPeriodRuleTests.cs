using System.Text.Json;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// Rules on the purchases of a period read the purchases per customer and day when the statistics are current (the
/// whole days after the period's start from the table, the rest of the start's day from the orders) and the orders
/// otherwise: both agree with the reference evaluation, orders placed exactly at the period's start, just before and
/// after it, at the start day's midnight and the next one, in several stores and in no store included
/// </summary>
public class DailyPurchasesPeriodRuleTests : DatabaseTestBase
{
    private const int Seed = 20261123;
    private static readonly int[] PeriodDays = [1, 7, 30, 90];
    private static readonly int[] StoreIds = [0, 1, 2, 3];
    private static readonly string[] Operators = [Equal, NotEqual, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual, Between];

    private RandomShop _data;
    private CustomerSegmentsSettings _current;
    private readonly List<Customer> _edgeCustomers = [];

    public DailyPurchasesPeriodRuleTests(DatabaseEngine engine) : base(engine)
    {
    }

    [OneTimeSetUp]
    public async Task CreateShopAsync()
    {
        _data = await RandomShop.CreateAsync(Shop, Seed, 120);

        //customers whose only purchases surround the start of each period: at the instant, a second before and after,
        //at the start day's midnight, the last second of that day and the next midnight
        var random = new Random(Seed);
        var eligible = new ReferenceEvaluator(_data, new CustomerSegmentsSettings(), 0, RandomShop.Now);
        foreach (var days in PeriodDays)
        {
            var start = RandomShop.Now.AddDays(-days);
            var customer = _data.Customers.Where(c => eligible.IsEligible(c) && !_data.Orders.Any(o => o.CustomerId == c.Id)
                && !_edgeCustomers.Contains(c)).First();
            _edgeCustomers.Add(customer);
            DateTime[] moments = [start, start.AddSeconds(-1), start.AddSeconds(1), start.Date, start.Date.AddDays(1).AddSeconds(-1), start.Date.AddDays(1)];
            var orders = moments.Select((moment, i) => new Order
            {
                OrderGuid = Guid.NewGuid(),
                CustomOrderNumber = Guid.NewGuid().ToString("N"),
                CustomerId = customer.Id,
                StoreId = i % 4,
                PaymentStatusId = (int)PaymentStatus.Paid,
                OrderStatusId = (int)OrderStatus.Complete,
                OrderTotal = 100m * (i + 1) + 0.25m * random.Next(4),
                CreatedOnUtc = DateTime.SpecifyKind(moment, DateTimeKind.Utc)
            }).ToList();
            await Repository<Order>().InsertAsync(orders, false);
            _data.Orders.AddRange(orders);
        }

        _current = new CustomerSegmentsSettings();
        await Statistics(_current).RecomputeAllAsync(RandomShop.Now);
        Assert.That(_current.OrderStatisticsKey, Is.EqualTo(CustomerOrderStatisticsService.SettingsKey(_current)), "current after the recompute");
    }

    private CustomerOrderStatisticsService Statistics(CustomerSegmentsSettings settings) =>
        Shop.NewOrderStatisticsService(settings, new Mock<Nop.Services.Configuration.ISettingService>().Object);

    private static RuleCondition Condition(string field, string op, int days, params decimal[] values) => new()
    {
        Field = field,
        Operator = op,
        PeriodDays = days,
        Values = values.Take(op == Between ? 2 : 1).Select(value => field == RuleFields.OrderCountInPeriod
            ? JsonSerializer.SerializeToElement((int)value)
            : JsonSerializer.SerializeToElement(value)).ToList()
    };

    private static SegmentRule Rule(GroupMatch match, bool negate, params RuleNode[] children) =>
        new() { Root = new RuleGroup { Match = match, Negate = negate, Children = [.. children] } };

    /// <summary>
    /// Values that split the customers: the edge customers' sums of the period (with and without the order at the
    /// start instant) and a few others
    /// </summary>
    private List<decimal[]> ValuesFor(string field, int days, int storeId, Random random)
    {
        var start = RandomShop.Now.AddDays(-days);
        var edge = _edgeCustomers[Array.IndexOf(PeriodDays, days)];
        var orders = _data.Orders.Where(o => o.CustomerId == edge.Id && (storeId == 0 || o.StoreId == storeId) && o.CreatedOnUtc >= start).ToList();
        decimal measure(IEnumerable<Order> selected) =>
            field == RuleFields.OrderCountInPeriod ? selected.Count() : selected.Sum(o => o.OrderTotal);

        var exact = measure(orders);
        var withoutStartInstant = measure(orders.Where(o => o.CreatedOnUtc != start));
        var other = field == RuleFields.OrderCountInPeriod ? random.Next(0, 4) : random.Next(0, 1200) + 0.5m;
        return
        [
            [exact, exact + (field == RuleFields.OrderCountInPeriod ? 1 : 0.25m)],
            [withoutStartInstant, exact],
            [other, other + random.Next(0, 500)]
        ];
    }

    private static async Task<ISet<int>> ConditionsAsync(SegmentRuleQueryBuilder builder, SegmentRule rule, int storeId, ISet<int> eligible) =>
        (await (await builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now)).ToListAsync()).Where(eligible.Contains).ToHashSet();

    private static async Task<ISet<int>> MatchingAsync(SegmentRuleQueryBuilder builder, SegmentRule rule, int storeId) =>
        (await (await builder.BuildMatchingCustomerIdsQueryAsync(rule, storeId, RandomShop.Now)).ToListAsync()).ToHashSet();

    private static string Sql(IQueryable<int> query) => LinqToDB.LinqExtensions.ToSqlQuery(query).Sql;

    [Test]
    public async Task PeriodRulesAgreeWithTheReferenceWithTheDaysCurrentAndWithout()
    {
        var notCurrent = new CustomerSegmentsSettings { OrderStatisticsKey = null };
        var random = new Random(Seed);
        var checkedRules = 0;
        var sizes = new HashSet<int>();
        foreach (var (settings, readsDays) in new[] { (_current, true), (notCurrent, false) })
        {
            var builder = Shop.NewRuleQueryBuilder(settings);
            var eligible = await MatchingAsync(builder, new SegmentRule(), 0);
            foreach (var field in new[] { RuleFields.OrderCountInPeriod, RuleFields.SpentInPeriod })
            foreach (var days in PeriodDays)
            foreach (var storeId in StoreIds)
            foreach (var values in ValuesFor(field, days, storeId, random))
            foreach (var op in Operators)
            {
                var condition = Condition(field, op, days, values);
                var reference = new ReferenceEvaluator(_data, settings, storeId, RandomShop.Now);
                var expected = reference.Evaluate(Rule(GroupMatch.All, false, condition));
                var description = $"{(readsDays ? "days" : "orders")}, store {storeId}: {new SegmentRuleSerializer().Serialize(Rule(GroupMatch.All, false, condition))}";

                Assert.That(await MatchingAsync(builder, Rule(GroupMatch.All, false, condition), storeId), Is.EquivalentTo(expected), description);
                Assert.That(await ConditionsAsync(builder, Rule(GroupMatch.All, false, condition), storeId, eligible), Is.EquivalentTo(expected), "conditions " + description);
                //the anti-join and negated forms
                Assert.That(await MatchingAsync(builder, Rule(GroupMatch.Any, true, condition), storeId),
                    Is.EquivalentTo(reference.Evaluate(Rule(GroupMatch.Any, true, condition))), "negated " + description);
                sizes.Add(expected.Count);
                checkedRules++;
            }

            var spent = Rule(GroupMatch.All, false, Condition(RuleFields.SpentInPeriod, GreaterThanOrEqual, 30, 100m));
            var sql = Sql(await builder.BuildMatchingCustomerIdsQueryAsync(spent, 0, RandomShop.Now));
            Assert.That(sql.Contains(CustomerSegmentsDefaults.DailyPurchasesTableName), Is.EqualTo(readsDays), sql);
            TestContext.Out.WriteLine($"{Engine}, {(readsDays ? "days" : "orders")}:{Environment.NewLine}{sql}");
        }

        Assert.That(checkedRules, Is.EqualTo(2 * 2 * PeriodDays.Length * StoreIds.Length * 3 * Operators.Length));
        Assert.That(sizes.Count, Is.GreaterThan(5), "the values split the customers in many ways");
    }

    [Test]
    public async Task TheEdgeCustomersSumsCountTheOrderAtTheStartInstantAndNothingBefore()
    {
        var builder = Shop.NewRuleQueryBuilder(_current);
        foreach (var (days, customer) in PeriodDays.Zip(_edgeCustomers))
        {
            //orders at start, start + 1 s, start's day last second, next midnight: 100, 300, 500, 600 (+ quarters)
            var start = RandomShop.Now.AddDays(-days);
            var total = _data.Orders.Where(o => o.CustomerId == customer.Id && o.CreatedOnUtc >= start).Sum(o => o.OrderTotal);
            var rule = Rule(GroupMatch.All, false, Condition(RuleFields.SpentInPeriod, Equal, days, total));
            Assert.That(await MatchingAsync(builder, rule, 0), Does.Contain(customer.Id), $"{days} days: {total}");
            Assert.That(await MatchingAsync(builder, Rule(GroupMatch.All, false, Condition(RuleFields.OrderCountInPeriod, Equal, days, 4)), 0),
                Does.Contain(customer.Id), $"{days} days: 4 orders");
        }
    }

    [Test]
    public async Task AfterASettingsChangeTheRulesReadTheOrdersNotTheDaysFilledWithTheOldSettings()
    {
        //the days were filled counting paid orders; now pending ones count too (the statistics are no longer current)
        var changed = new CustomerSegmentsSettings
        {
            OrderStatisticsKey = _current.OrderStatisticsKey,
            PurchasePaymentStatusIds = [(int)PaymentStatus.Paid, (int)PaymentStatus.Pending]
        };
        var builder = Shop.NewRuleQueryBuilder(changed);
        var differ = 0;
        foreach (var storeId in new[] { 0, 1 })
        foreach (var days in PeriodDays)
        {
            var rule = Rule(GroupMatch.All, false, Condition(RuleFields.OrderCountInPeriod, GreaterThanOrEqual, days, 1));
            var expected = new ReferenceEvaluator(_data, changed, storeId, RandomShop.Now).Evaluate(rule);
            var old = new ReferenceEvaluator(_data, _current, storeId, RandomShop.Now).Evaluate(rule);
            differ += expected.SetEquals(old) ? 0 : 1;

            Assert.That(await MatchingAsync(builder, rule, storeId), Is.EquivalentTo(expected), $"store {storeId}, {days} days");
            Assert.That(Sql(await builder.BuildMatchingCustomerIdsQueryAsync(rule, storeId, RandomShop.Now)),
                Does.Not.Contain(CustomerSegmentsDefaults.DailyPurchasesTableName));
        }

        Assert.That(differ, Is.GreaterThan(0), "the settings change changes some segments");
    }
}
