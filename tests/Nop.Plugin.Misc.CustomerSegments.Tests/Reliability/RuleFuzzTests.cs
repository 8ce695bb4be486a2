using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Admin;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Hostile rule JSON through the real serializer, validator and query builder, the queries run on the database:
/// no exception escapes, no case hangs, no input is executed
/// </summary>
public class RuleFuzzTests : DatabaseTestBase
{
    private const int Seed = 20261123;
    private const int StructuredCases = 700;
    private const int MutatedCases = 300;
    private static readonly TimeSpan _caseBound = TimeSpan.FromSeconds(30);

    public RuleFuzzTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();
        var data = new AdminTestData(Shop);
        for (var i = 0; i < 12; i++)
        {
            var customer = await data.CustomerAsync($"fuzz{i}@example.com", new DateTime(1970 + i * 3, 1 + i % 12, 5), $"First{i}", "O'Brien");
            customer.Company = i % 2 == 0 ? "Acme" : "'); DROP TABLE \"Customer\";--";
            await Repository<Customer>().UpdateAsync(customer);
            for (var o = 0; o < i % 4; o++)
                await data.OrderAsync(customer.Id, 10 * (o + 1) + i, new DateTime(2025, 1 + o, 1 + i));
        }

        for (var s = 1; s <= 3; s++)
            await data.SegmentAsync($"S{s}");
    }

    private SegmentRuleQueryBuilder QueryBuilder() => Shop.NewRuleQueryBuilder();

    private static SegmentRuleValidator Validator(ISegmentRuleSerializer serializer)
    {
        var segments = new Mock<ISegmentService>();
        segments.SetupSegments(id => id is >= 1 and <= 3
                ? new Segment { Id = id, Name = $"S{id}", SegmentTypeId = (int)SegmentType.Dynamic, Active = true, RuleJson = id == 3 ? "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"segment.member\",\"operator\":\"in\",\"values\":[2]}]}}" : null }
                : null);
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => key);
        return new SegmentRuleValidator(new RuleFieldCatalog(), serializer, segments.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), Rules.KnownValues.All());
    }

    private async Task<(int Customers, int Orders, int Segments, int Memberships)> CountsAsync() =>
        (await Repository<Customer>().Table.CountAsync(), await Repository<Order>().Table.CountAsync(),
            await Repository<Segment>().Table.CountAsync(), await Repository<SegmentMembership>().Table.CountAsync());

    [Test]
    public async Task HostileRulesNeverThrowNeverHangAndAreNeverExecuted()
    {
        var serializer = new SegmentRuleSerializer();
        var validator = Validator(serializer);
        var builder = QueryBuilder();
        var fuzzer = new RuleFuzzer(Seed, new RuleFieldCatalog().GetFields());
        var before = await CountsAsync();
        var companiesBefore = await Repository<Customer>().Table.OrderBy(c => c.Id).Select(c => c.Company).ToListAsync();

        var failures = new List<string>();
        int total = 0, parsed = 0, valid = 0, executed = 0, matchedSomebody = 0;
        foreach (var (label, json) in fuzzer.Cases(StructuredCases, MutatedCases))
        {
            total++;
            var run = Task.Run(async () =>
            {
                var result = serializer.Parse(json);
                if (!result.Success)
                {
                    if (result.Rule != null || result.Errors.Any(e => string.IsNullOrEmpty(e.Message)))
                        return "parse failure without a clear error";
                    return null;
                }

                Interlocked.Increment(ref parsed);
                var errors = await validator.ValidateAsync(result.Rule, 0);
                if (errors.Count > 0)
                    return errors.Any(e => string.IsNullOrEmpty(e.Message)) ? "validation error without a message" : null;

                Interlocked.Increment(ref valid);
                var roundTrip = serializer.Parse(serializer.Serialize(result.Rule));
                if (!roundTrip.Success || (await validator.ValidateAsync(roundTrip.Rule, 0)).Count > 0)
                    return "a valid rule does not survive serialization";

                var storeId = total % 3;
                var query = await builder.BuildMatchingCustomerIdsQueryAsync(result.Rule, storeId, new DateTime(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc));
                var ids = await query.ToListAsync();
                Interlocked.Increment(ref executed);
                if (ids.Count > 0)
                    Interlocked.Increment(ref matchedSomebody);
                return ids.Distinct().Count() == ids.Count ? null : "the query returns a customer twice";
            });

            try
            {
                var problem = await run.WaitAsync(_caseBound);
                if (problem != null)
                    failures.Add($"{label}: {problem}: {Shorten(json)}");
            }
            catch (TimeoutException)
            {
                failures.Add($"{label}: still running after {_caseBound.TotalSeconds} s: {Shorten(json)}");
            }
            catch (Exception exception)
            {
                failures.Add($"{label}: {exception.GetType().Name}: {exception.Message}: {Shorten(json)}");
            }
        }

        TestContext.Out.WriteLine($"{Engine}: {total} cases, {parsed} parsed, {valid} valid, {executed} executed, {matchedSomebody} matched somebody");

        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(30).Select(f => f.Length > 700 ? f[..700] : f)));
        Assert.That(await CountsAsync(), Is.EqualTo(before), "no row was added, changed or removed");
        Assert.That(await Repository<Customer>().Table.OrderBy(c => c.Id).Select(c => c.Company).ToListAsync(), Is.EqualTo(companiesBefore));
        //the fuzzer must reach the database often enough to mean something
        Assert.That(valid, Is.GreaterThan(StructuredCases / 4));
        Assert.That(executed, Is.EqualTo(valid));
        Assert.That(matchedSomebody, Is.GreaterThan(0));
    }

    [Test]
    public async Task SqlInTextValuesIsComparedAsText()
    {
        var serializer = new SegmentRuleSerializer();
        var hostile = "'); DROP TABLE \"Customer\";--";
        var json = "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"customer.company\",\"operator\":\"eq\",\"values\":[" +
                   System.Text.Json.JsonSerializer.Serialize(hostile) + "]}]}}";
        var rule = serializer.Parse(json);
        Assert.That(rule.Success, Is.True);
        Assert.That(await Validator(serializer).ValidateAsync(rule.Rule, 0), Is.Empty);

        var ids = await (await QueryBuilder().BuildMatchingCustomerIdsQueryAsync(rule.Rule, 0, DateTime.UtcNow)).ToListAsync();

        var expected = await Repository<Customer>().Table.Where(c => c.Company == hostile).Select(c => c.Id).ToListAsync();
        Assert.That(expected, Has.Count.EqualTo(6));
        Assert.That(ids, Is.EquivalentTo(expected));
    }

    [TestCase("orders.count", "gte", "[2147483648]", null)]
    [TestCase("orders.count", "between", "[1,99999999999]", null)]
    [TestCase("customer.company", "eq", "[\"a\\u0000b\"]", null)]
    [TestCase("customer.genericAttribute", "isNotEmpty", "[]", "Vat\\u0000")]
    public async Task ValuesTheDatabaseCannotTakeAreValidationErrors(string field, string op, string values, string key)
    {
        var serializer = new SegmentRuleSerializer();
        var json = "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"" + field +
                   "\",\"operator\":\"" + op + "\",\"values\":" + values + (key == null ? "" : ",\"key\":\"" + key + "\"") + "}]}}";
        var parsed = serializer.Parse(json);
        Assert.That(parsed.Success, Is.True, json);

        var errors = await Validator(serializer).ValidateAsync(parsed.Rule, 0);

        Assert.That(errors.Select(e => e.Path), Is.EqualTo(new[] { "0" }));
    }

    private static string Shorten(string json) => json.Length <= 300 ? json : json[..300] + $"... ({json.Length} chars)";
}
