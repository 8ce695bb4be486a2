using System.Text.Json;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// The rule query, run by the database, agrees with a plain C# evaluation of the rule over the same rows:
/// for every catalog field, and for hundreds of random rules, on the whole shop and on batches of customers
/// </summary>
public class SegmentRuleAgreementTests : DatabaseTestBase
{
    private const int Seed = 20260615;
    private readonly RuleFieldCatalog _catalog = new();
    private readonly CustomerSegmentsSettings _settings = new();
    private RandomShop _data;
    private SegmentRuleQueryBuilder _builder;
    private SegmentRuleValidator _validator;

    public SegmentRuleAgreementTests(DatabaseEngine engine) : base(engine)
    {
    }

    [OneTimeSetUp]
    public async Task CreateShopAsync()
    {
        _data = await RandomShop.CreateAsync(Shop, Seed, 300);
        _builder = CreateBuilder(_settings);
        //the rule queries read the order statistics: filled as the rebuild fills them, "now" being the shop's
        await CreateStatistics(_settings).RefreshAllAsync(RandomShop.Now);

        var segments = new Mock<ISegmentService>();
        segments.SetupSegments(id => new Segment { Id = id, Name = $"S{id}" });
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => key);
        _validator = new SegmentRuleValidator(_catalog, new SegmentRuleSerializer(), segments.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), Rules.KnownValues.All());
    }

    private SegmentRuleQueryBuilder CreateBuilder(CustomerSegmentsSettings settings) => Shop.NewRuleQueryBuilder(settings);

    /// <summary>
    /// The plugin's order statistics service over the shop (nopCommerce's setting service is a stand-in)
    /// </summary>
    private CustomerOrderStatisticsService CreateStatistics(CustomerSegmentsSettings settings) => new(settings, DataProvider,
        new Mock<Nop.Services.Configuration.ISettingService>().Object, Repository<Customer>(), Repository<CustomerCustomerRoleMapping>(),
        Repository<CustomerRole>(), Repository<Nop.Core.Domain.Orders.Order>(), Repository<CustomerOrderStatistics>(),
        new SegmentMembershipTransaction(Repository<Segment>()), Shop.NewDailyPurchasesService(settings), Shop.NewPurchasedProductService(settings));

    private async Task<ISet<int>> RunAsync(SegmentRule rule, int storeId, IList<int> batch = null)
    {
        var query = await _builder.BuildMatchingCustomerIdsQueryAsync(rule, storeId, RandomShop.Now);
        if (batch != null)
            query = query.Where(id => batch.Contains(id));
        return (await query.ToListAsync()).ToHashSet();
    }

    private static IEnumerable<string> FieldNames() => new RuleFieldCatalog().GetFields().Select(f => f.Name);

    [TestCaseSource(nameof(FieldNames))]
    public async Task EachOperatorOfTheFieldAgreesWithTheReference(string fieldName)
    {
        var field = _catalog.GetField(fieldName);
        var rules = new RandomRules(Seed + fieldName.Sum(ch => ch), _catalog, _data.Roles.Select(r => r.Id).ToList());
        var sizes = new List<int>();
        var eligible = _data.Customers.Count(new ReferenceEvaluator(_data, _settings, 0, RandomShop.Now).IsEligible);

        foreach (var op in field.Operators)
        {
            for (var i = 0; i < 4; i++)
            {
                var rule = new SegmentRule { Root = new RuleGroup { Children = [rules.Condition(field, op)] } };
                Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));

                foreach (var storeId in new[] { 0, 1 })
                {
                    var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);
                    Assert.That(await RunAsync(rule, storeId), Is.EquivalentTo(expected), $"store {storeId}: {Describe(rule)}");
                    sizes.Add(expected.Count);
                }
            }
        }

        //the field's data made some of its conditions select some customers and not others
        Assert.That(sizes.Any(size => size > 0 && size < eligible), Is.True, "no condition on the field split the customers");
    }

    [Test]
    public async Task RandomRulesAgreeWithTheReferenceOnTheWholeShopAndOnBatches()
    {
        var rules = new RandomRules(Seed, _catalog, _data.Roles.Select(r => r.Id).ToList());
        var random = new Random(Seed);
        var cases = Engine == DatabaseEngine.Sqlite ? 200 : 100;
        for (var i = 0; i < cases; i++)
        {
            var rule = rules.Rule();
            Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);

            Assert.That(await RunAsync(rule, storeId), Is.EquivalentTo(expected), $"case {i}, store {storeId}: {Describe(rule)}");

            var batch = _data.Customers.Where(_ => random.Next(10) == 0).Select(c => c.Id).ToList();
            Assert.That(await RunAsync(rule, storeId, batch), Is.EquivalentTo(expected.Intersect(batch)), $"case {i} batch: {Describe(rule)}");
        }
    }

    [Test]
    public async Task RulesWithSameShapedValueListsAgreeWithTheReferenceAsTheirValuesChange()
    {
        //two conditions of one shape in a rule (lists of one value each: written as parameters, one SQL per shape), run
        //one after the other with other values: each run must read its own values, not those of the SQL built before
        static RuleCondition condition(string field, params int[] values) =>
            new() { Field = field, Operator = RuleOperators.AnyOf, Values = values.Select(value => JsonSerializer.SerializeToElement(value)).ToList() };

        var roleIds = _data.Roles.Select(r => r.Id).ToList();
        var sizes = new HashSet<int>();
        foreach (var (field, values) in new[] { (RuleFields.CustomerRoles, roleIds), (RuleFields.BoughtCategories, [1, 2, 3, 4]), (RuleFields.BoughtProducts, [1, 2, 3, 5, 8]) })
        foreach (var first in values)
        foreach (var second in values.Where(value => value != first))
        foreach (var storeId in new[] { 0, 1 })
        {
            var rule = new SegmentRule
            {
                Root = new RuleGroup
                {
                    Children = [condition(field, first), new RuleGroup { Negate = true, Children = [condition(field, second)] }]
                }
            };
            var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);
            Assert.That(await RunAsync(rule, storeId), Is.EquivalentTo(expected), $"store {storeId}: {Describe(rule)}");
            sizes.Add(expected.Count);
        }

        Assert.That(sizes, Has.Count.GreaterThan(3), "the rules selected different customers");
    }

    [Test]
    public async Task RolesAllOfAgreesWithTheReferenceForEveryPairAndTripleOfRoles()
    {
        //one grouped subquery counting each customer's roles among them; a role named twice counts once
        var roleIds = _data.Roles.Select(r => r.Id).ToList();
        var lists = roleIds.SelectMany(a => roleIds.Where(b => b > a).Select(b => new[] { a, b }))
            .Concat(roleIds.SelectMany(a => roleIds.Where(b => b > a).SelectMany(b => roleIds.Where(c => c > b).Select(c => new[] { a, b, c }))))
            .Append([roleIds[0], roleIds[0], roleIds[^1]])
            .ToList();
        var sizes = new HashSet<int>();
        foreach (var list in lists)
        {
            var rule = new SegmentRule
            {
                Root = new RuleGroup
                {
                    Children = [new RuleCondition { Field = RuleFields.CustomerRoles, Operator = RuleOperators.AllOf,
                        Values = list.Select(id => JsonSerializer.SerializeToElement(id)).ToList() }]
                }
            };
            var expected = new ReferenceEvaluator(_data, _settings, 0, RandomShop.Now).Evaluate(rule);
            Assert.That(await RunAsync(rule, 0), Is.EquivalentTo(expected), Describe(rule));
            sizes.Add(expected.Count);
        }

        Assert.That(sizes.Max(), Is.GreaterThan(0), "some customers hold several of the roles");
    }

    [Test]
    public async Task TheConditionsQueryWithTheEligibilityTestedApartAgreesWithTheReference()
    {
        //what the re-evaluation of a few customers runs: each rule's conditions, and the eligibility once (an empty rule)
        var rules = new RandomRules(Seed + 1, _catalog, _data.Roles.Select(r => r.Id).ToList());
        var random = new Random(Seed + 1);
        var eligible = await RunAsync(new SegmentRule(), 0);
        for (var i = 0; i < 60; i++)
        {
            var rule = rules.Rule();
            Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);
            var conditions = await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now);

            var all = (await conditions.ToListAsync()).ToHashSet();
            Assert.That(all.Intersect(eligible), Is.EquivalentTo(expected), $"case {i}, store {storeId}: {Describe(rule)}");

            var one = _data.Customers[random.Next(_data.Customers.Count)].Id;
            var single = await conditions.Where(id => id == one).ToListAsync();
            Assert.That(single.Where(eligible.Contains), Is.EquivalentTo(expected.Where(id => id == one)), $"case {i}, customer {one}: {Describe(rule)}");
        }
    }

    [Test]
    public async Task RulesOfOrderStatisticsAloneReadFromTheStatisticsAgreeWithTheReference()
    {
        //an AND of statistics and RFM conditions is read from the statistics rows alone; other shapes as usual
        var statisticsFields = OrderFigureFields.OrderStatisticsFields;
        var rules = new RandomRules(Seed + 2, new FieldSubset(_catalog, statisticsFields), []);
        var random = new Random(Seed + 2);
        var eligible = await RunAsync(new SegmentRule(), 0);
        var readFromStatistics = 0;
        for (var i = 0; i < 60; i++)
        {
            var rule = rules.Rule(maxDepth: random.Next(3) == 0 ? 2 : 1);
            Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);
            var conditions = await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now);
            if (!System.Text.RegularExpressions.Regex.IsMatch(LinqToDB.LinqExtensions.ToSqlQuery(conditions).Sql, "[\"`\\[]Customer[\"`\\]]"))
                readFromStatistics++;

            var all = (await conditions.ToListAsync()).ToHashSet();
            Assert.That(all.Intersect(eligible), Is.EquivalentTo(expected), $"case {i}, store {storeId}: {Describe(rule)}");

            var one = _data.Customers[random.Next(_data.Customers.Count)].Id;
            var single = await conditions.Where(id => id == one).ToListAsync();
            Assert.That(single.Where(eligible.Contains), Is.EquivalentTo(expected.Where(id => id == one)), $"case {i}, customer {one}: {Describe(rule)}");
        }

        //(an AND of positive conditions only: 7 of these 60 random rules)
        Assert.That(readFromStatistics, Is.GreaterThan(4), "the statistics alone answered some of the rules");
    }

    [Test]
    public async Task RulesWhoseCandidatesComeFromAnotherTableAgreeWithTheReference()
    {
        //an AND with a condition that names its customers from another table (purchases, period sums, roles) and others
        //that test only the customer's id is read from that table; other shapes (a column of Customer) as usual
        string[] candidateFields = [RuleFields.BoughtProducts, RuleFields.BoughtCategories, RuleFields.BoughtManufacturers,
            RuleFields.OrderCountInPeriod, RuleFields.SpentInPeriod, RuleFields.CustomerRoles];
        var otherFields = new HashSet<string>(candidateFields)
        {
            RuleFields.OrderCount, RuleFields.TotalSpent, RuleFields.DaysSinceLastOrder, RuleFields.RfmGroup, RuleFields.WishlistNotEmpty,
            RuleFields.AbandonedCart, RuleFields.SegmentMember, RuleFields.Company, RuleFields.Active
        };
        var roleIds = _data.Roles.Select(r => r.Id).ToList();
        var candidates = new RandomRules(Seed + 3, _catalog, roleIds);
        var others = new RandomRules(Seed + 4, new FieldSubset(_catalog, otherFields), roleIds);
        var random = new Random(Seed + 3);
        var eligible = await RunAsync(new SegmentRule(), 0);
        var withoutCustomerTable = 0;
        for (var i = 0; i < 80; i++)
        {
            var field = _catalog.GetField(candidateFields[random.Next(candidateFields.Length)]);
            var op = field.Operators.Contains(RuleOperators.AnyOf) ? RuleOperators.AnyOf : field.Operators[random.Next(field.Operators.Count)];
            var root = new RuleGroup { Children = [candidates.Condition(field, op)] };
            var more = others.Rule(maxDepth: 2).Root;
            if (random.Next(4) > 0)
                root.Children.AddRange(more.Match == GroupMatch.All && !more.Negate ? more.Children : [more]);
            if (random.Next(3) == 0)
                root.Children.Reverse();
            var rule = new SegmentRule { Root = root };
            Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);
            var conditions = await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now);
            if (!System.Text.RegularExpressions.Regex.IsMatch(LinqToDB.LinqExtensions.ToSqlQuery(conditions).Sql, "[\"`\\[]Customer[\"`\\]]"))
                withoutCustomerTable++;

            var all = (await conditions.ToListAsync()).ToHashSet();
            Assert.That(all.Intersect(eligible), Is.EquivalentTo(expected), $"case {i}, store {storeId}: {Describe(rule)}");

            var one = _data.Customers[random.Next(_data.Customers.Count)].Id;
            var single = await conditions.Where(id => id == one).ToListAsync();
            Assert.That(single.Where(eligible.Contains), Is.EquivalentTo(expected.Where(id => id == one)), $"case {i}, customer {one}: {Describe(rule)}");
        }

        Assert.That(withoutCustomerTable, Is.InRange(20, 70), "a good part of the rules, not all, read their candidates without the Customer table");
    }

    [Test]
    public async Task TheInMemoryDecisionFromACustomersStatisticsRowsAgreesWithTheConditionsQuery()
    {
        //what the re-evaluation of one customer decides without SQL: the rule's order statistics and RFM conditions
        //applied to his statistics rows; random rules of statistics fields alone and of any fields, most of them ANDs
        var statisticsRules = new RandomRules(Seed + 3, new FieldSubset(_catalog, OrderFigureFields.OrderStatisticsFields), []);
        var anyRules = new RandomRules(Seed + 4, _catalog, _data.Roles.Select(r => r.Id).ToList());
        var random = new Random(Seed + 3);
        var rows = (await Repository<CustomerOrderStatistics>().Table.ToListAsync()).ToLookup(row => row.CustomerId);
        Assert.That(rows.SelectMany(row => row).Any(row => row.RecencyScore > 0 && row.StoreId == 1), Is.True, "scored rows in a store");
        var (matched, failed, undecided, rulesWithoutDecision) = (0, 0, 0, 0);
        for (var i = 0; i < 80; i++)
        {
            var rule = i % 2 == 0 ? statisticsRules.Rule(maxDepth: random.Next(3) == 0 ? 2 : 1) : anyRules.Rule(maxDepth: 1);
            if (random.Next(4) != 0)
            {
                rule.Root.Match = GroupMatch.All;
                rule.Root.Negate = false;
            }

            Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var decide = _builder.BuildOrderFiguresDecision(rule, storeId, RandomShop.Now);
            var statisticsCondition = rule.Root.Children.OfType<RuleCondition>()
                .Any(c => OrderFigureFields.OrderStatisticsFields.Contains(c.Field) || c.Field is RuleFields.OrderCountInPeriod or RuleFields.SpentInPeriod
                    || PurchaseNames.IsPurchaseField(c.Field));
            Assert.That(decide != null, Is.EqualTo(rule.Root is { Match: GroupMatch.All, Negate: false } && statisticsCondition), $"case {i}: {Describe(rule)}");
            if (decide == null)
            {
                rulesWithoutDecision++;
                continue;
            }

            var conditions = (await (await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now)).ToListAsync()).ToHashSet();
            foreach (var customer in _data.Customers)
            {
                var decision = decide(new CustomerOrderFigures(rows[customer.Id].ToList()));
                if (decision == null)
                {
                    undecided++;
                    continue;
                }

                Assert.That(decision.Value, Is.EqualTo(conditions.Contains(customer.Id)), $"case {i}, store {storeId}, customer {customer.Id}: {Describe(rule)}");
                if (decision.Value)
                    matched++;
                else
                    failed++;
            }
        }

        //every outcome happened often: customers decided in and out, left to the other conditions, rules not decided at all
        Assert.Multiple(() =>
        {
            Assert.That(matched, Is.GreaterThan(200), "decided: matches");
            Assert.That(failed, Is.GreaterThan(200), "decided: does not match");
            Assert.That(undecided, Is.GreaterThan(200), "other conditions decide");
            Assert.That(rulesWithoutDecision, Is.GreaterThan(2), "rules without a decision");
        });
    }

    [Test]
    public async Task ThePurchasesOfPeriodsReadWithADaysRefreshAreTheSumsTheRuleQueryTests()
    {
        //each customer's count and amount of a period, read in memory, is exactly what "= count" and "= amount" select
        var random = new Random(Seed + 6);
        var dailyPurchases = Shop.NewDailyPurchasesService(_settings);
        var periodsWithPurchases = 0;
        foreach (var customer in _data.Customers.OrderBy(_ => random.Next()).Take(30))
        {
            //a day's start, a moment in a day, the days of the shop's orders
            int[] periodDays = [random.Next(1, 60), random.Next(60, 800)];
            var starts = periodDays.Select(days => RandomShop.Now.AddDays(-days)).ToList();
            var refresh = await dailyPurchases.RefreshCustomerDayAsync(customer.Id, RandomShop.Now.AddDays(-random.Next(0, 800)), starts);
            foreach (var (days, start) in periodDays.Zip(starts))
            {
                var storeId = random.Next(2);
                var purchases = refresh.Periods.GetPurchases(storeId, start);
                Assert.That(purchases, Is.Not.Null);
                if (purchases.OrderCount > 0)
                    periodsWithPurchases++;

                foreach (var (field, value) in new (string, object)[] { (RuleFields.OrderCountInPeriod, purchases.OrderCount), (RuleFields.SpentInPeriod, purchases.TotalSpent) })
                {
                    var rule = new SegmentRule
                    {
                        Root = new RuleGroup
                        {
                            Children = [new RuleCondition { Field = field, Operator = RuleOperators.Equal, PeriodDays = days, Values = [JsonSerializer.SerializeToElement(value)] }]
                        }
                    };
                    var conditions = await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now);
                    Assert.That(await conditions.Where(id => id == customer.Id).ToListAsync(), Is.EqualTo(new[] { customer.Id }),
                        $"customer {customer.Id}, store {storeId}, {days} days: {field} = {value}");
                }
            }
        }

        Assert.That(periodsWithPurchases, Is.GreaterThan(15), "periods with purchases");
    }

    /// <summary>
    /// The in-memory decisions of 80 random AND rules of the fields, each against the conditions query in store 0 or 1 for
    /// 25 random customers. <paramref name="figuresReader"/> gives, for a rule (and its case number), how to read a
    /// customer's figures from his statistics rows, or null when the rule is not one to test.
    /// </summary>
    private async Task<InMemoryDecisions> DecideInMemoryAgainstTheConditionsQueryAsync(int seed, IReadOnlySet<string> fields,
        Func<int, SegmentRule, Func<Customer, List<CustomerOrderStatistics>, Random, Task<CustomerOrderFigures>>> figuresReader)
    {
        var rules = new RandomRules(seed, new FieldSubset(_catalog, fields), []);
        var random = new Random(seed);
        var statistics = (await Repository<CustomerOrderStatistics>().Table.ToListAsync()).ToLookup(row => row.CustomerId);
        var decisions = new InMemoryDecisions();
        for (var i = 0; i < 80; i++)
        {
            var rule = rules.Rule(maxDepth: 1);
            (rule.Root.Match, rule.Root.Negate) = (GroupMatch.All, false);
            Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));
            var figuresOf = figuresReader(i, rule);
            if (figuresOf == null)
                continue;

            decisions.RulesTested.Add(rule);
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var decide = _builder.BuildOrderFiguresDecision(rule, storeId, RandomShop.Now);
            var conditions = (await (await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now)).ToListAsync()).ToHashSet();
            foreach (var customer in _data.Customers.OrderBy(_ => random.Next()).Take(25))
            {
                var decision = decide(await figuresOf(customer, statistics[customer.Id].ToList(), random));
                Assert.That(decision, Is.Not.Null, $"case {i}: every condition is decided in memory: {Describe(rule)}");
                Assert.That(decision.Value, Is.EqualTo(conditions.Contains(customer.Id)), $"case {i}, store {storeId}, customer {customer.Id}: {Describe(rule)}");
                if (decision.Value)
                    decisions.Matched++;
                else
                    decisions.Failed++;
            }

            //without the figures read with a refresh, the statistics decide alone or leave it to the query
            if (decide(new CustomerOrderFigures(statistics[_data.Customers[0].Id].ToList())) == null)
                decisions.Undecided++;
        }

        return decisions;
    }

    private sealed class InMemoryDecisions
    {
        public List<SegmentRule> RulesTested { get; } = [];

        public int Matched { get; set; }

        public int Failed { get; set; }

        public int Undecided { get; set; }
    }

    [Test]
    public async Task TheInMemoryDecisionFromACustomersPurchasesOfPeriodsAgreesWithTheConditionsQuery()
    {
        //what the re-evaluation after an order decides without SQL when a rule tests the purchases of a period: the
        //purchases read with the refresh of a day (here the shop's "now", already current, so nothing is written)
        var periodFields = new HashSet<string>
        {
            RuleFields.OrderCountInPeriod, RuleFields.SpentInPeriod, RuleFields.OrderCount, RuleFields.TotalSpent, RuleFields.DaysSinceLastOrder
        };
        var dailyPurchases = Shop.NewDailyPurchasesService(_settings);
        var decisions = await DecideInMemoryAgainstTheConditionsQueryAsync(Seed + 5, periodFields, (i, rule) =>
        {
            var starts = _builder.GetDecisionPeriodStarts(rule, RandomShop.Now).ToList();
            Assert.That(starts, Has.Count.EqualTo(rule.Root.Children.OfType<RuleCondition>().Where(c => c.PeriodDays != null).Select(c => c.PeriodDays).Distinct().Count()),
                $"case {i}: {Describe(rule)}");
            if (starts.Count == 0)
                return null;

            return async (customer, statistics, _) =>
            {
                var refresh = await dailyPurchases.RefreshCustomerDayAsync(customer.Id, RandomShop.Now, starts);
                Assert.That(refresh.Written, Is.False, "the purchases per day are current");
                return new CustomerOrderFigures(statistics, refresh.Periods);
            };
        });

        Assert.Multiple(() =>
        {
            Assert.That(decisions.RulesTested, Has.Count.GreaterThan(30), "rules with periods");
            Assert.That(decisions.Matched, Is.GreaterThan(100), "decided: matches");
            Assert.That(decisions.Failed, Is.GreaterThan(100), "decided: does not match");
            Assert.That(decisions.Undecided, Is.GreaterThan(5), "without the periods read, the query decides");
        });
    }

    [Test]
    public async Task TheInMemoryDecisionFromACustomersNamedPurchasesAgreesWithTheConditionsQuery()
    {
        //what the re-evaluation after an order decides without SQL when a rule tests purchases of products, categories or
        //manufacturers: the customer's rows of the products named, read with the refresh of one of his orders (current,
        //so nothing is written), or of an order that is not his
        var purchaseFields = new HashSet<string>
        {
            RuleFields.BoughtProducts, RuleFields.BoughtCategories, RuleFields.BoughtManufacturers, RuleFields.OrderCount, RuleFields.TotalSpent
        };
        var products = Shop.NewPurchasedProductService(_settings);
        var orders = _data.Orders.ToLookup(order => order.CustomerId);
        var decisions = await DecideInMemoryAgainstTheConditionsQueryAsync(Seed + 7, purchaseFields, (i, rule) =>
        {
            var names = _builder.GetDecisionPurchaseNames(rule);
            var purchases = rule.Root.Children.OfType<RuleCondition>().Where(c => PurchaseNames.IsPurchaseField(c.Field)).ToList();
            Assert.That(names.Count, Is.EqualTo(purchases.SelectMany(c => RuleValues.Ints(c.Values).Select(id => (c.Field, id))).Distinct().Count()), $"case {i}: {Describe(rule)}");
            if (purchases.Count == 0)
                return null;

            return async (customer, statistics, random) =>
            {
                var order = orders[customer.Id].OrderBy(_ => random.Next()).FirstOrDefault()
                    ?? new Nop.Core.Domain.Orders.Order { Id = int.MaxValue, CustomerId = customer.Id, CreatedOnUtc = RandomShop.Now };
                var refresh = await products.RefreshOrderAsync(order, names);
                Assert.That(refresh.Written, Is.False, "the products bought are current");
                return new CustomerOrderFigures(statistics, null, refresh.Purchases);
            };
        });

        Assert.Multiple(() =>
        {
            Assert.That(decisions.RulesTested, Has.Count.GreaterThan(40), "rules with purchases");
            Assert.That(decisions.RulesTested.Count(rule => rule.Root.Children.OfType<RuleCondition>().Any(c => PurchaseNames.IsPurchaseField(c.Field) && c.PeriodDays != null)),
                Is.GreaterThan(10), "rules with purchases of a period");
            Assert.That(decisions.Matched, Is.GreaterThan(100), "decided: matches");
            Assert.That(decisions.Failed, Is.GreaterThan(100), "decided: does not match");
            Assert.That(decisions.Undecided, Is.GreaterThan(5), "without the purchases read, the query decides");
        });
    }

    [Test]
    public async Task AndedPurchasesOfProductsCategoriesAndManufacturersAgreeWithTheReference()
    {
        //ANDs of several purchases of a kind (one grouped subquery per kind) with their own periods, beside negated ones,
        //"all of", nested ANDs (folded into their parent), negated and ANY groups, and a condition of another field
        string[] kinds = [RuleFields.BoughtProducts, RuleFields.BoughtCategories, RuleFields.BoughtManufacturers];
        var rules = new RandomRules(Seed + 5, _catalog, _data.Roles.Select(r => r.Id).ToList());
        var random = new Random(Seed + 5);
        var eligible = await RunAsync(new SegmentRule(), 0);
        var sizes = new HashSet<int>();

        RuleNode purchase(string kind)
        {
            var op = random.Next(10) switch { < 7 => RuleOperators.AnyOf, < 9 => RuleOperators.NoneOf, _ => RuleOperators.AllOf };
            return rules.Condition(_catalog.GetField(kind), op);
        }

        RuleGroup group(int depth, string kind)
        {
            var node = new RuleGroup
            {
                Match = depth == 0 || random.Next(3) > 0 ? GroupMatch.All : GroupMatch.Any,
                Negate = depth > 0 ? random.Next(3) == 0 : random.Next(6) == 0
            };
            var count = random.Next(2, depth == 0 ? 7 : 4);
            for (var i = 0; i < count; i++)
            {
                node.Children.Add(random.Next(10) switch
                {
                    < 6 => purchase(kind),
                    < 8 => purchase(kinds[random.Next(kinds.Length)]),
                    8 when depth < 2 => group(depth + 1, kind),
                    _ => rules.Condition(_catalog.GetField(random.Next(2) == 0 ? RuleFields.OrderCount : RuleFields.Active))
                });
            }

            return node;
        }

        for (var i = 0; i < 60; i++)
        {
            var rule = new SegmentRule { Root = group(0, kinds[i % kinds.Length]) };
            Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty, Describe(rule));
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);
            Assert.That(await RunAsync(rule, storeId), Is.EquivalentTo(expected), $"case {i}, store {storeId}: {Describe(rule)}");

            var conditions = await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, RandomShop.Now);
            Assert.That((await conditions.ToListAsync()).ToHashSet().Intersect(eligible), Is.EquivalentTo(expected), $"case {i} conditions, store {storeId}: {Describe(rule)}");
            sizes.Add(expected.Count);
        }

        Assert.That(sizes, Has.Count.GreaterThan(5), "the rules selected different customers");
    }

    [Test]
    public async Task AndedPurchasesOfOneShapeAgreeWithTheReferenceAsTheirValuesAndPeriodsChange()
    {
        //three ANDed purchases of one value each (parameters: one SQL for every run), the same values or periods in
        //some runs and not in others: each run must test each condition's own value and period
        static RuleCondition condition(string field, int? periodDays, int value) => new()
        {
            Field = field, Operator = RuleOperators.AnyOf, PeriodDays = periodDays, Values = [JsonSerializer.SerializeToElement(value)]
        };

        var random = new Random(Seed + 6);
        int?[] periods = [30, 90, 365];
        var sizes = new HashSet<int>();
        foreach (var (field, values) in new[] { (RuleFields.BoughtCategories, new[] { 1, 2, 3, 4 }), (RuleFields.BoughtProducts, new[] { 1, 2, 3, 5 }) })
        for (var i = 0; i < 24; i++)
        {
            var rule = new SegmentRule
            {
                Root = new RuleGroup
                {
                    Children = [.. Enumerable.Range(0, 3).Select(_ => (RuleNode)condition(field, periods[random.Next(periods.Length)], values[random.Next(values.Length)]))]
                }
            };
            var storeId = random.Next(3) == 0 ? 1 : 0;
            var expected = new ReferenceEvaluator(_data, _settings, storeId, RandomShop.Now).Evaluate(rule);
            Assert.That(await RunAsync(rule, storeId), Is.EquivalentTo(expected), $"case {i}, store {storeId}: {Describe(rule)}");
            sizes.Add(expected.Count);
        }

        Assert.That(sizes, Has.Count.GreaterThan(3), "the rules selected different customers");
    }

    /// <summary>
    /// The catalog's fields among the given names
    /// </summary>
    private sealed class FieldSubset(IRuleFieldCatalog catalog, IReadOnlySet<string> names) : IRuleFieldCatalog
    {
        public IReadOnlyList<RuleFieldDescriptor> GetFields() => catalog.GetFields().Where(field => names.Contains(field.Name)).ToList();

        public RuleFieldDescriptor GetField(string name) => names.Contains(name) ? catalog.GetField(name) : null;
    }

    [Test]
    public async Task GuestsAreIncludedOnlyWhenTheSettingsSaySo()
    {
        var rule = new SegmentRule();
        var withGuests = new CustomerSegmentsSettings { IncludeGuests = true };

        var without = (await (await _builder.BuildMatchingCustomerIdsQueryAsync(rule, 0, RandomShop.Now)).ToListAsync()).ToHashSet();
        var with = (await (await CreateBuilder(withGuests).BuildMatchingCustomerIdsQueryAsync(rule, 0, RandomShop.Now)).ToListAsync()).ToHashSet();

        Assert.That(without, Is.EquivalentTo(new ReferenceEvaluator(_data, _settings, 0, RandomShop.Now).Evaluate(rule)));
        Assert.That(with, Is.EquivalentTo(new ReferenceEvaluator(_data, withGuests, 0, RandomShop.Now).Evaluate(rule)));
        Assert.That(with.Count, Is.GreaterThan(without.Count));
        Assert.That(with, Has.None.AnyOf(_data.Customers.Where(c => c.Deleted || c.IsSystemAccount).Select(c => c.Id).ToArray()));
    }

    [TestCase("x' OR '1'='1")]
    [TestCase("'); DROP TABLE Customer;--")]
    [TestCase("Caf\u00e9 \U0001F600")]
    public async Task TextValuesAreMatchedLiterallyAndChangeNothing(string city)
    {
        var customerCount = await Repository<Customer>().Table.CountAsync();
        foreach (var op in new[] { RuleOperators.Equal, RuleOperators.Contains, RuleOperators.NotEqual })
        {
            var rule = new SegmentRule
            {
                Root = new RuleGroup { Children = [new RuleCondition { Field = RuleFields.BillingCity, Operator = op, Values = [System.Text.Json.JsonSerializer.SerializeToElement(city)] }] }
            };
            var expected = new ReferenceEvaluator(_data, _settings, 0, RandomShop.Now).Evaluate(rule);
            Assert.That(await RunAsync(rule, 0), Is.EquivalentTo(expected));

            //the value travels as a parameter: the SQL text (without linq2db's parameter declarations) does not hold it
            var sql = LinqToDB.LinqExtensions.ToSqlQuery(await _builder.BuildMatchingCustomerIdsQueryAsync(rule, 0, RandomShop.Now)).Sql;
            var statement = string.Join("\n", sql.Split('\n').Where(line => !line.TrimStart().StartsWith("DECLARE") && !line.TrimStart().StartsWith("SET") && !line.TrimStart().StartsWith("--")));
            Assert.That(statement, Does.Contain("SELECT"));
            Assert.That(statement, Does.Not.Contain("'1'='1").IgnoreCase.And.Not.Contain("DROP TABLE").IgnoreCase);
        }

        var literal = new SegmentRule
        {
            Root = new RuleGroup { Children = [new RuleCondition { Field = RuleFields.BillingCity, Operator = RuleOperators.Equal, Values = [System.Text.Json.JsonSerializer.SerializeToElement("x' OR '1'='1")] }] }
        };
        var matched = await RunAsync(literal, 0);
        var withThatCity = _data.Customers.Where(c => c.BillingAddressId.HasValue && _data.Addresses.First(a => a.Id == c.BillingAddressId).City == "x' OR '1'='1").Select(c => c.Id);
        Assert.That(matched, Is.SubsetOf(withThatCity));
        Assert.That(await Repository<Customer>().Table.CountAsync(), Is.EqualTo(customerCount));
    }

    private string Describe(SegmentRule rule) => new SegmentRuleSerializer().Serialize(rule);
}
