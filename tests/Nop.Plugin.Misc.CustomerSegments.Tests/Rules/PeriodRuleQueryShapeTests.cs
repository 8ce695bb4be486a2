using System.Text.Json;
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
/// The query shapes chosen for speed select the same customers as the plain ones: a rule selecting from the purchases
/// of a period or from recent registrations tests the guest rule per customer (role ids read first), any other an anti-join; address conditions
/// without a separate "has an address" test
/// </summary>
public class PeriodRuleQueryShapeTests : RuleQueryShapeTestBase
{

    public PeriodRuleQueryShapeTests(DatabaseEngine engine) : base(engine)
    {
    }

    [OneTimeSetUp]
    public async Task CreateCustomersAsync()
    {
        var registered = new CustomerRole { Name = "Registered", SystemName = NopCustomerDefaults.RegisteredRoleName, Active = true };
        var guests = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
        var vip = new CustomerRole { Name = "VIP", Active = true };
        await Repository<CustomerRole>().InsertAsync([vip, registered, guests], false);

        var countryFive = new Address { CountryId = 5, CreatedOnUtc = Now };
        var countryNone = new Address { CountryId = null, CreatedOnUtc = Now };
        await Repository<Address>().InsertAsync([countryFive, countryNone], false);

        //name: roles, flags, orders (store, total, days ago)
        var customers = new (string Name, CustomerRole[] Roles, bool Deleted, bool System, int? BillingAddressId, (int Store, decimal Total, int DaysAgo)[] Orders)[]
        {
            ("registered", [registered], false, false, null, [(1, 600m, 10)]),
            ("guest", [guests], false, false, null, [(1, 600m, 10)]),
            ("guest and registered", [guests, registered], false, false, null, [(1, 600m, 10)]),
            ("no role", [], false, false, null, [(1, 300m, 5), (1, 300m, 20)]),
            ("other role", [vip], false, false, null, [(1, 600m, 10)]),
            ("deleted", [registered], true, false, null, [(1, 600m, 10)]),
            ("system", [], false, true, null, [(1, 600m, 10)]),
            ("other store", [registered], false, false, null, [(2, 600m, 10)]),
            ("long ago", [registered], false, false, null, [(1, 600m, 200)]),
            ("never bought", [registered], false, false, null, []),
            ("country five", [registered], false, false, countryFive.Id, [(1, 600m, 10)]),
            ("address without country", [registered], false, false, countryNone.Id, [(1, 600m, 10)])
        };

        var orders = new List<Order>();
        var mappings = new List<CustomerCustomerRoleMapping>();
        foreach (var (name, roles, deleted, system, billingAddressId, purchases) in customers)
        {
            var customer = new Customer
            {
                CustomerGuid = Guid.NewGuid(),
                Username = name,
                Email = $"{name.Replace(' ', '.')}@example.com",
                Active = true,
                Deleted = deleted,
                IsSystemAccount = system,
                BillingAddressId = billingAddressId,
                CreatedOnUtc = Now.AddDays(-400),
                LastActivityDateUtc = Now
            };
            await Repository<Customer>().InsertAsync(customer, false);
            Ids[name] = customer.Id;
            mappings.AddRange(roles.Select(role => new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id }));
            orders.AddRange(purchases.Select(p => new Order
            {
                OrderGuid = Guid.NewGuid(),
                CustomOrderNumber = Guid.NewGuid().ToString("N"),
                CustomerId = customer.Id,
                StoreId = p.Store,
                PaymentStatusId = (int)PaymentStatus.Paid,
                OrderStatusId = (int)OrderStatus.Complete,
                OrderTotal = p.Total,
                CreatedOnUtc = Now.AddDays(-p.DaysAgo)
            }));
        }

        await Repository<CustomerCustomerRoleMapping>().InsertAsync(mappings, false);
        await Repository<Order>().InsertAsync(orders, false);
    }

    private static RuleCondition SpentAtLeast(decimal total) => Condition(RuleFields.SpentInPeriod, GreaterThanOrEqual, 30, total);

    private static readonly string[] BoughtInThePeriod =
        ["address without country", "country five", "guest and registered", "no role", "other role", "other store", "registered"];

    [Test]
    public async Task SpentInAPeriodSelectsTheEligibleBuyersWithTheRolesTestedPerCustomer()
    {
        var rule = Rule(GroupMatch.All, false, SpentAtLeast(500m));

        Assert.That(await SelectAsync(rule), Is.EqualTo(BoughtInThePeriod));
        //the per-customer form: role ids read first, so the query does not look roles up by system name
        Assert.That(await SqlAsync(rule), Does.Not.Contain("SystemName"));
    }

    [Test]
    public async Task TheSameConditionUnderAnAnyGroupUsesTheAntiJoinAndSelectsTheSameCustomers()
    {
        var rule = Rule(GroupMatch.Any, false, SpentAtLeast(500m));

        Assert.That(await SelectAsync(rule), Is.EqualTo(BoughtInThePeriod));
        Assert.That(await SqlAsync(rule), Does.Contain("SystemName"));
    }

    [Test]
    public async Task ANestedAllGroupAndOtherConditionsKeepTheMeaning()
    {
        var rule = Rule(GroupMatch.All, false,
            Rule(GroupMatch.All, false, Condition(RuleFields.OrderCountInPeriod, GreaterThanOrEqual, 30, 2)).Root,
            Condition(RuleFields.SpentInPeriod, Between, 30, 500m, 700m));

        Assert.That(await SelectAsync(rule), Is.EqualTo(new[] { "no role" }));
        Assert.That(await SqlAsync(rule), Does.Not.Contain("SystemName"));
    }

    [Test]
    public async Task GuestsAreIncludedWhenTheSettingsSaySo()
    {
        var settings = new CustomerSegmentsSettings { IncludeGuests = true };

        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, SpentAtLeast(500m)), settings: settings),
            Is.EqualTo(BoughtInThePeriod.Append("guest").OrderBy(name => name, StringComparer.Ordinal).ToArray()));
    }

    [Test]
    public async Task AStoreLimitedSegmentCountsOnlyThatStoresPurchases()
    {
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, SpentAtLeast(500m)), storeId: 1),
            Is.EqualTo(BoughtInThePeriod.Where(name => name != "other store").ToArray()));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, SpentAtLeast(500m)), storeId: 2), Is.EqualTo(new[] { "other store" }));
    }

    [Test]
    public async Task ANegatedGroupSelectsTheOtherEligibleCustomers()
    {
        var rule = Rule(GroupMatch.All, true, SpentAtLeast(500m));

        Assert.That(await SelectAsync(rule), Is.EqualTo(new[] { "long ago", "never bought" }));
        Assert.That(await SqlAsync(rule), Does.Contain("SystemName"));
    }

    [Test]
    public async Task TestsThatCustomersWithoutPurchasesPassSelectThemToo()
    {
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.SpentInPeriod, LessThan, 30, 500m))),
            Is.EqualTo(new[] { "long ago", "never bought" }));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.SpentInPeriod, NotEqual, 30, 600m))),
            Is.EqualTo(new[] { "long ago", "never bought" }));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.OrderCountInPeriod, Equal, 30, 0))),
            Is.EqualTo(new[] { "long ago", "never bought" }));
    }

    [Test]
    public async Task ARecentRegistrationTestsTheRolesPerCustomerAndSelectsTheEligibleCustomers()
    {
        var registeredWithin = Rule(GroupMatch.All, false, Condition(RuleFields.RegisteredDate, InLastDays, null, 500));
        var eligible = Ids.Keys.Except(["guest", "deleted", "system"]).OrderBy(name => name, StringComparer.Ordinal).ToArray();

        Assert.That(await SelectAsync(registeredWithin), Is.EqualTo(eligible));
        Assert.That(await SqlAsync(registeredWithin), Does.Not.Contain("SystemName"));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.RegisteredDate, InLastDays, null, 300))), Is.Empty);
        Assert.That(await SelectAsync(registeredWithin, settings: new CustomerSegmentsSettings { IncludeGuests = true }),
            Is.EqualTo(eligible.Append("guest").OrderBy(name => name, StringComparer.Ordinal).ToArray()));

        //negated, the registration no longer names the candidates: the anti-join, the same meaning
        var negated = Rule(GroupMatch.All, true, Condition(RuleFields.RegisteredDate, InLastDays, null, 300));
        Assert.That(await SelectAsync(negated), Is.EqualTo(eligible));
        Assert.That(await SqlAsync(negated), Does.Contain("SystemName"));
    }

    [Test]
    public async Task BillingCountryMatchesOnlyCustomersWithThatAddressAndItsNegationTheOthers()
    {
        var withoutCountryFive = new[] { "address without country", "guest and registered", "long ago", "never bought", "no role", "other role", "other store", "registered" };

        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.BillingCountry, Equal, null, 5))), Is.EqualTo(new[] { "country five" }));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.BillingCountry, In, null, 5, 6))), Is.EqualTo(new[] { "country five" }));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.BillingCountry, IsNotEmpty, null))), Is.EqualTo(new[] { "country five" }));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.BillingCountry, NotEqual, null, 5))), Is.EqualTo(withoutCountryFive));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.BillingCountry, IsEmpty, null))), Is.EqualTo(withoutCountryFive));
        Assert.That(await SelectAsync(Rule(GroupMatch.All, false, Condition(RuleFields.ShippingCountry, IsEmpty, null))),
            Is.EqualTo(withoutCountryFive.Append("country five").OrderBy(name => name, StringComparer.Ordinal).ToArray()));
    }
}
