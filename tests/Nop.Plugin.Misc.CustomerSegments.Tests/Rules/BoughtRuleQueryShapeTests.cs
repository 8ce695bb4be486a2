using System.Text.Json;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// "Bought products / categories / manufacturers" select the buyers from one join (items of the products, their
/// purchases) and test the guest rule per candidate: the same customers as a plain C# evaluation over the same rows,
/// with orders in other stores, unpaid, cancelled and deleted orders, products in several categories, the same product
/// bought twice, period boundaries, negated conditions and groups
/// </summary>
public class BoughtRuleQueryShapeTests : RuleQueryShapeTestBase
{
    private const int PeriodDays = 30;

    //products 1..5; categories: 1 -> 10 and 11, 2 -> 11, 3 -> 12, 4 -> none, 5 -> 10; manufacturers: 1 -> 20, 3 -> 20 and 21, 5 -> 21
    private static readonly (int Product, int Category)[] Categories = [(1, 10), (1, 11), (2, 11), (3, 12), (5, 10)];
    private static readonly (int Product, int Manufacturer)[] Manufacturers = [(1, 20), (3, 20), (3, 21), (5, 21)];

    private readonly List<Customer> _customers = [];
    private readonly List<int> _guestsOnly = [];
    private readonly List<(Order Order, int[] Products)> _orders = [];

    public BoughtRuleQueryShapeTests(DatabaseEngine engine) : base(engine)
    {
    }

    private static (int Store, int[] Products, int DaysAgo, PaymentStatus Payment, OrderStatus Status, bool Deleted) Paid(int store, int daysAgo, params int[] products) =>
        (store, products, daysAgo, PaymentStatus.Paid, OrderStatus.Complete, false);

    [OneTimeSetUp]
    public async Task CreateShopAsync()
    {
        var registered = new CustomerRole { Name = "Registered", SystemName = NopCustomerDefaults.RegisteredRoleName, Active = true };
        var guests = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
        await Repository<CustomerRole>().InsertAsync([registered, guests], false);

        await Repository<ProductCategory>().InsertAsync(Categories.Select(m => new ProductCategory { ProductId = m.Product, CategoryId = m.Category }).ToList(), false);
        await Repository<ProductManufacturer>().InsertAsync(Manufacturers.Select(m => new ProductManufacturer { ProductId = m.Product, ManufacturerId = m.Manufacturer }).ToList(), false);

        var customers = new (string Name, CustomerRole[] Roles, bool Deleted, (int Store, int[] Products, int DaysAgo, PaymentStatus Payment, OrderStatus Status, bool Deleted)[] Orders)[]
        {
            ("p1 twice", [registered], false, [Paid(1, 5, 1), Paid(1, 50, 1)]),
            ("p1 and p2 in one order", [registered], false, [Paid(1, 5, 1, 2, 2)]),
            ("p2 other store", [registered], false, [Paid(2, 5, 2)]),
            ("p2 unpaid", [registered], false, [(1, [2], 5, PaymentStatus.Pending, OrderStatus.Pending, false)]),
            ("p2 cancelled", [registered], false, [(1, [2], 5, PaymentStatus.Paid, OrderStatus.Cancelled, false)]),
            ("p2 deleted order", [registered], false, [(1, [2], 5, PaymentStatus.Paid, OrderStatus.Complete, true)]),
            ("p3 long ago", [registered], false, [Paid(1, 200, 3)]),
            ("p3 at the period start", [registered], false, [Paid(1, PeriodDays, 3)]),
            ("p4 only", [registered], false, [Paid(1, 5, 4)]),
            ("p5 and p3 in two stores", [registered], false, [Paid(1, 5, 5), Paid(2, 5, 3)]),
            ("p1 guest", [guests], false, [Paid(1, 5, 1)]),
            ("p1 guest and registered", [guests, registered], false, [Paid(1, 5, 1)]),
            ("p1 deleted customer", [registered], true, [Paid(1, 5, 1)]),
            ("never bought", [registered], false, [])
        };

        var mappings = new List<CustomerCustomerRoleMapping>();
        foreach (var (name, roles, deleted, orders) in customers)
        {
            var customer = new Customer
            {
                CustomerGuid = Guid.NewGuid(),
                Username = name,
                Email = $"{name.Replace(' ', '.')}@example.com",
                Active = true,
                Deleted = deleted,
                CreatedOnUtc = Now.AddDays(-400),
                LastActivityDateUtc = Now
            };
            await Repository<Customer>().InsertAsync(customer, false);
            Ids[name] = customer.Id;
            _customers.Add(customer);
            if (roles.Contains(guests) && !roles.Contains(registered))
                _guestsOnly.Add(customer.Id);
            mappings.AddRange(roles.Select(role => new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id }));

            foreach (var o in orders)
            {
                var order = new Order
                {
                    OrderGuid = Guid.NewGuid(),
                    CustomOrderNumber = Guid.NewGuid().ToString("N"),
                    CustomerId = customer.Id,
                    StoreId = o.Store,
                    PaymentStatusId = (int)o.Payment,
                    OrderStatusId = (int)o.Status,
                    Deleted = o.Deleted,
                    OrderTotal = 100m,
                    CreatedOnUtc = Now.AddDays(-o.DaysAgo)
                };
                await Repository<Order>().InsertAsync(order, false);
                _orders.Add((order, o.Products));
            }
        }

        await Repository<CustomerCustomerRoleMapping>().InsertAsync(mappings, false);
        await Repository<OrderItem>().InsertAsync(_orders
            .SelectMany(o => o.Products.Select(product => new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = o.Order.Id, ProductId = product, Quantity = 1 }))
            .ToList(), false);
    }

    #region Reference

    /// <summary>
    /// The rule evaluated in C# over the rows inserted: purchases are paid, not cancelled, not deleted orders of the
    /// store (any store for 0) placed at or after the period start; eligible customers are not deleted and not guests only
    /// </summary>
    private string[] Reference(SegmentRule rule, int storeId) =>
        Names(_customers.Where(c => !c.Deleted && !_guestsOnly.Contains(c.Id) && Evaluate(rule.Root, c, storeId)).Select(c => c.Id));

    private bool Evaluate(RuleNode node, Customer customer, int storeId)
    {
        if (node is RuleGroup group)
        {
            var children = group.Children.Select(child => Evaluate(child, customer, storeId));
            var result = group.Match == GroupMatch.All ? children.All(x => x) : children.Any(x => x);
            return group.Negate ? !result : result;
        }

        var condition = (RuleCondition)node;
        var from = condition.PeriodDays is { } days ? Now.AddDays(-days) : DateTime.MinValue;
        var products = _orders
            .Where(o => o.Order.CustomerId == customer.Id && !o.Order.Deleted && o.Order.PaymentStatusId == (int)PaymentStatus.Paid
                && o.Order.OrderStatusId != (int)OrderStatus.Cancelled && (storeId == 0 || o.Order.StoreId == storeId) && o.Order.CreatedOnUtc >= from)
            .SelectMany(o => o.Products)
            .ToHashSet();
        var bought = condition.Field switch
        {
            RuleFields.BoughtProducts => products,
            RuleFields.BoughtCategories => Categories.Where(m => products.Contains(m.Product)).Select(m => m.Category).ToHashSet(),
            RuleFields.BoughtManufacturers => Manufacturers.Where(m => products.Contains(m.Product)).Select(m => m.Manufacturer).ToHashSet(),
            _ => throw new ArgumentException(condition.Field)
        };
        var ids = condition.Values.Select(v => v.GetInt32()).ToList();
        return condition.Operator switch
        {
            AnyOf => ids.Any(bought.Contains),
            AllOf => ids.All(bought.Contains),
            NoneOf => !ids.Any(bought.Contains),
            _ => throw new ArgumentException(condition.Operator)
        };
    }

    #endregion

    [Test]
    public async Task ACategoryOfAProductInSeveralCategoriesSelectsItsBuyersOnce()
    {
        var rule = Rule(GroupMatch.All, false, Condition(RuleFields.BoughtCategories, AnyOf, null, 10, 11));

        //hand-checked: the reference is right here
        Assert.That(await SelectAsync(rule), Is.EqualTo(new[] { "p1 and p2 in one order", "p1 guest and registered", "p1 twice", "p2 other store", "p5 and p3 in two stores" }));
        Assert.That(Reference(rule, 0), Is.EqualTo(await SelectAsync(rule)));
        //the buyers from a join, the guest rule per candidate (role ids read first)
        var sql = await SqlAsync(rule);
        Assert.That(sql, Does.Not.Contain("SystemName"));
        Assert.That(sql, Does.Contain(" IN ("));
    }

    [Test]
    public async Task AllOfManyCategoriesReadsTheirMappingsOnce()
    {
        var rule = Rule(GroupMatch.All, false, Condition(RuleFields.BoughtCategories, AllOf, null, Values(Enumerable.Range(10, 10))));

        Assert.That(await SelectAsync(rule), Is.EqualTo(Reference(rule, 0)));
        //one grouped subquery, not one per category: MariaDB took minutes to plan a join of ten
        var sql = await SqlAsync(rule);
        Assert.That(System.Text.RegularExpressions.Regex.Count(sql, "Product_Category_Mapping"), Is.EqualTo(1), sql);
    }

    [TestCase(RuleFields.BoughtProducts, "OrderItem")]
    [TestCase(RuleFields.BoughtCategories, "Product_Category_Mapping")]
    [TestCase(RuleFields.BoughtManufacturers, "Product_Manufacturer_Mapping")]
    public async Task AndedPurchasesOfOneKindReadTheirRowsOnce(string field, string table)
    {
        //ten conditions, some with a period, two of them in a nested AND group
        var conditions = Enumerable.Range(0, 10).Select(i => (RuleNode)Condition(field, AnyOf, i % 3 == 0 ? PeriodDays : null, i + 1, i + 10)).ToList();
        var rule = Rule(GroupMatch.All, false, [.. conditions.Take(8), new RuleGroup { Match = GroupMatch.All, Children = [.. conditions.Skip(8)] }]);

        Assert.That(await SelectAsync(rule), Is.EqualTo(Reference(rule, 0)));
        //one grouped subquery over the bought rows, not one per condition: MariaDB flattens each into a semi-join and
        //took seconds to plan ten of them (two tables each for categories and manufacturers)
        var sql = await SqlAsync(rule);
        Assert.That(System.Text.RegularExpressions.Regex.Count(sql, table), Is.EqualTo(1), sql);
    }

    [Test]
    public async Task UnpaidCancelledAndDeletedOrdersDoNotCount()
    {
        var rule = Rule(GroupMatch.All, false, Condition(RuleFields.BoughtProducts, AnyOf, null, 2));

        Assert.That(await SelectAsync(rule), Is.EqualTo(new[] { "p1 and p2 in one order", "p2 other store" }));
    }

    [Test]
    public async Task ThePeriodStartsAtItsFirstMomentAndTheStoreLimitsThePurchases()
    {
        var inPeriod = Rule(GroupMatch.All, false, Condition(RuleFields.BoughtCategories, AnyOf, PeriodDays, 12));

        Assert.That(await SelectAsync(inPeriod), Is.EqualTo(new[] { "p3 at the period start", "p5 and p3 in two stores" }));
        Assert.That(await SelectAsync(inPeriod, storeId: 1), Is.EqualTo(new[] { "p3 at the period start" }));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.BoughtCategories, AnyOf, null, 12))),
            Is.EqualTo(new[] { "p3 at the period start", "p3 long ago", "p5 and p3 in two stores" }));
    }

    private static IEnumerable<TestCaseData> Rules()
    {
        foreach (var field in new[] { RuleFields.BoughtProducts, RuleFields.BoughtCategories, RuleFields.BoughtManufacturers })
        {
            var ids = field switch
            {
                RuleFields.BoughtProducts => new[] { new[] { 1 }, new[] { 2, 3 }, new[] { 1, 2 }, new[] { 3, 5 } },
                RuleFields.BoughtCategories => [[10], [11, 12], [10, 11], [10, 12]],
                _ => [[20], [21], [20, 21], [22]]
            };
            foreach (var set in ids)
            foreach (var op in new[] { AnyOf, AllOf, NoneOf })
            foreach (var period in new int?[] { null, PeriodDays })
            {
                yield return new TestCaseData(Rule(GroupMatch.All, false, Condition(field, op, period, Values(set))))
                    .SetArgDisplayNames($"{field} {op} {string.Join('+', set)} {period}");
            }

            //negated groups, and the condition beside another in an ANY group
            yield return new TestCaseData(Rule(GroupMatch.All, true, Condition(field, AnyOf, null, Values(ids[0]))))
                .SetArgDisplayNames($"not({field} any {ids[0][0]})");
            yield return new TestCaseData(Rule(GroupMatch.Any, false, Condition(field, AnyOf, PeriodDays, Values(ids[1])), Condition(field, AllOf, null, Values(ids[2]))))
                .SetArgDisplayNames($"{field} any-group");
            yield return new TestCaseData(Rule(GroupMatch.All, false, Condition(field, AnyOf, null, Values(ids[2])), Condition(field, NoneOf, PeriodDays, Values(ids[0]))))
                .SetArgDisplayNames($"{field} and none-of");

            //several ANDed purchases of one kind: of different periods, beside negations, in nested groups
            yield return new TestCaseData(Rule(GroupMatch.All, false, Condition(field, AnyOf, null, Values(ids[1])), Condition(field, AnyOf, PeriodDays, Values(ids[0])),
                    Condition(field, AnyOf, 200, Values(ids[2]))))
                .SetArgDisplayNames($"{field} any and any in periods");
            yield return new TestCaseData(Rule(GroupMatch.All, false, Condition(field, AnyOf, null, Values(ids[2])), Condition(field, NoneOf, PeriodDays, Values(ids[3])),
                    new RuleGroup { Match = GroupMatch.All, Children = [Condition(field, AnyOf, PeriodDays, Values(ids[3])), Condition(field, AnyOf, null, Values(ids[0]))] },
                    new RuleGroup { Match = GroupMatch.All, Negate = true, Children = [Condition(field, AnyOf, PeriodDays, Values(ids[1])), Condition(field, AnyOf, null, Values(ids[3]))] }))
                .SetArgDisplayNames($"{field} anys in nested groups");
            yield return new TestCaseData(Rule(GroupMatch.All, true, Condition(field, AnyOf, 200, Values(ids[0])), Condition(field, AllOf, null, Values(ids[2])),
                    new RuleGroup { Match = GroupMatch.Any, Children = [Condition(field, AnyOf, PeriodDays, Values(ids[1])),
                        new RuleGroup { Match = GroupMatch.All, Children = [Condition(field, AnyOf, null, Values(ids[1])), Condition(field, AnyOf, PeriodDays, Values(ids[2]))] }] },
                    Condition(field, AnyOf, null, Values(ids[3]))))
                .SetArgDisplayNames($"not(anys) {field}");
            yield return new TestCaseData(Rule(GroupMatch.All, false, Condition(RuleFields.BoughtProducts, AnyOf, null, 1, 3), Condition(RuleFields.BoughtCategories, AnyOf, PeriodDays, 10, 12),
                    Condition(field, AnyOf, null, Values(ids[2])), Condition(RuleFields.BoughtManufacturers, AnyOf, 200, 20), Condition(RuleFields.BoughtCategories, AnyOf, null, 11)))
                .SetArgDisplayNames($"mixed kinds with {field}");
        }
    }

    [TestCaseSource(nameof(Rules))]
    public async Task TheQuerySelectsTheCustomersOfTheReferenceInEveryStore(SegmentRule rule)
    {
        foreach (var storeId in new[] { 0, 1, 2 })
            Assert.That(await SelectAsync(rule, storeId), Is.EqualTo(Reference(rule, storeId)), $"store {storeId}");
    }

    [TestCaseSource(nameof(Rules))]
    public async Task WithTheProductsBoughtPerCustomerCurrentTheQueryReadsThemAndSelectsTheCustomersOfTheReference(SegmentRule rule)
    {
        var current = new CustomerSegmentsSettings();
        await Shop.NewPurchasedProductService(current).RecomputeCustomersAsync(Nop.Plugin.Misc.CustomerSegments.Services.CustomerIdRange.All);
        current.OrderStatisticsKey = Nop.Plugin.Misc.CustomerSegments.Services.CustomerOrderStatisticsService.SettingsKey(current);

        foreach (var storeId in new[] { 0, 1, 2 })
        {
            Assert.That(await SelectAsync(rule, storeId, current), Is.EqualTo(Reference(rule, storeId)), $"store {storeId}");
            var conditions = await CreateBuilder(current).BuildConditionsCustomerIdsQueryAsync(rule, storeId, Now);
            var eligible = _customers.Where(c => !c.Deleted && !_guestsOnly.Contains(c.Id)).Select(c => c.Id).ToHashSet();
            Assert.That(Names((await conditions.ToListAsync()).Where(eligible.Contains).Distinct()), Is.EqualTo(Reference(rule, storeId)), $"conditions, store {storeId}");
        }

        //the facts, not the order items
        var sql = await SqlAsync(rule, current);
        Assert.That(sql, Does.Contain(CustomerSegmentsDefaults.PurchasedProductsTableName));
        Assert.That(sql, Does.Not.Contain("OrderItem"));
        //the settings changed since: not current, the orders read again
        var changed = new CustomerSegmentsSettings { OrderStatisticsKey = current.OrderStatisticsKey, IncludeGuests = true };
        var stale = await SqlAsync(rule, changed);
        Assert.That(stale, Does.Contain("OrderItem"));
        Assert.That(stale, Does.Not.Contain(CustomerSegmentsDefaults.PurchasedProductsTableName));
    }
}
