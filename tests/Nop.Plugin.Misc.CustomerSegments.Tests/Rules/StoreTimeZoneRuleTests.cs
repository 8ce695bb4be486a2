using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// Calendar dates and ages count in the days of the store's time zone, as nopCommerce's admin shows dates: a store
/// ten hours ahead of UTC, and one in UTC
/// </summary>
public class StoreTimeZoneRuleTests : RuleQueryShapeTestBase
{
    private static readonly TimeZoneInfo TenHoursAhead = TimeZoneInfo.CreateCustomTimeZone("Test+10", TimeSpan.FromHours(10), "Test+10", "Test+10");

    //20:00 UTC on 15 June: already 16 June in the store ten hours ahead
    private static readonly DateTime Evening = new(2026, 6, 15, 20, 0, 0, DateTimeKind.Utc);

    public StoreTimeZoneRuleTests(DatabaseEngine engine) : base(engine)
    {
    }

    [OneTimeSetUp]
    public async Task CreateCustomersAsync()
    {
        var customers = new (string Name, DateTime CreatedOnUtc, DateTime? DateOfBirth)[]
        {
            //30 June 08:00 in the store, 29 June in UTC
            ("registered 29 June 22:00 UTC", new DateTime(2026, 6, 29, 22, 0, 0), null),
            //30 June 15:00 in the store
            ("registered 30 June 05:00 UTC", new DateTime(2026, 6, 30, 5, 0, 0), null),
            //1 July 01:00 in the store, 30 June in UTC
            ("registered 30 June 15:00 UTC", new DateTime(2026, 6, 30, 15, 0, 0), null),
            //18 on 16 June
            ("born 16 June 2008", new DateTime(2025, 1, 1), new DateTime(2008, 6, 16))
        };
        foreach (var (name, createdOnUtc, dateOfBirth) in customers)
        {
            var customer = new Customer
            {
                CustomerGuid = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@example.com", Active = true, CreatedOnUtc = createdOnUtc,
                LastActivityDateUtc = createdOnUtc, DateOfBirth = dateOfBirth
            };
            await Repository<Customer>().InsertAsync(customer);
            Ids[name] = customer.Id;
        }
    }

    private async Task<string[]> SelectAsync(RuleCondition condition, TimeZoneInfo storeTimeZone, DateTime nowUtc)
    {
        var builder = Shop.NewRuleQueryBuilder(storeTimeZone: storeTimeZone);
        var ids = await (await builder.BuildMatchingCustomerIdsQueryAsync(Rule(GroupMatch.All, false, condition), 0, nowUtc)).ToListAsync();
        return Names(ids);
    }

    [Test]
    public async Task ADayIsTheStoresDay()
    {
        var onThe30th = Condition(RuleFields.RegisteredDate, Equal, null, "2026-06-30");

        Assert.That(await SelectAsync(onThe30th, TenHoursAhead, Now),
            Is.EqualTo(new[] { "registered 29 June 22:00 UTC", "registered 30 June 05:00 UTC" }));
        Assert.That(await SelectAsync(onThe30th, TimeZoneInfo.Utc, Now),
            Is.EqualTo(new[] { "registered 30 June 05:00 UTC", "registered 30 June 15:00 UTC" }));
    }

    [Test]
    public async Task BeforeAfterAndBetweenStartAtTheStoresMidnight()
    {
        var before = Condition(RuleFields.RegisteredDate, Before, null, "2026-06-30");
        var after = Condition(RuleFields.RegisteredDate, After, null, "2026-06-30");
        var between = Condition(RuleFields.RegisteredDate, BetweenDates, null, "2026-07-01", "2026-07-31");

        Assert.That(await SelectAsync(before, TenHoursAhead, Now), Is.EqualTo(new[] { "born 16 June 2008" }));
        Assert.That(await SelectAsync(after, TenHoursAhead, Now), Is.EqualTo(new[] { "registered 30 June 15:00 UTC" }));
        Assert.That(await SelectAsync(between, TenHoursAhead, Now), Is.EqualTo(new[] { "registered 30 June 15:00 UTC" }));
        Assert.That(await SelectAsync(before, TimeZoneInfo.Utc, Now), Is.EqualTo(new[] { "born 16 June 2008", "registered 29 June 22:00 UTC" }));
        Assert.That(await SelectAsync(between, TimeZoneInfo.Utc, Now), Is.Empty);
    }

    [Test]
    public async Task AnAgeTurnsOverAtTheStoresMidnight()
    {
        var adults = Condition(RuleFields.Age, GreaterThanOrEqual, null, 18);

        Assert.That(await SelectAsync(adults, TenHoursAhead, Evening), Does.Contain("born 16 June 2008"), "16 June in the store: 18 today");
        Assert.That(await SelectAsync(adults, TimeZoneInfo.Utc, Evening), Does.Not.Contain("born 16 June 2008"), "15 June in UTC: still 17");
    }
}
