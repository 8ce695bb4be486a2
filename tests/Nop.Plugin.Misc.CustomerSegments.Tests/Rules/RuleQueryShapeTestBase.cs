using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// What the tests of the rule queries' shapes share: the real query builder over the test database, rules written
/// in a line, and customers known by name (<see cref="Ids"/>)
/// </summary>
public abstract class RuleQueryShapeTestBase : DatabaseTestBase
{
    protected static readonly DateTime Now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    protected RuleQueryShapeTestBase(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// The test's customers by name
    /// </summary>
    protected Dictionary<string, int> Ids { get; } = [];

    protected SegmentRuleQueryBuilder CreateBuilder(CustomerSegmentsSettings settings = null) => Shop.NewRuleQueryBuilder(settings);

    protected static RuleCondition Condition(string field, string op, int? periodDays, params object[] values) => new()
    {
        Field = field,
        Operator = op,
        PeriodDays = periodDays,
        Values = values.Select(value => JsonSerializer.SerializeToElement(value)).ToList()
    };

    /// <summary>
    /// Ids as the values of <see cref="Condition"/>
    /// </summary>
    protected static object[] Values(IEnumerable<int> ids) => ids.Cast<object>().ToArray();

    protected static SegmentRule Rule(GroupMatch match, bool negate, params RuleNode[] children) =>
        new() { Root = new RuleGroup { Match = match, Negate = negate, Children = [.. children] } };

    /// <summary>
    /// The names of the customers the rule's query selects, in order
    /// </summary>
    protected async Task<string[]> SelectAsync(SegmentRule rule, int storeId = 0, CustomerSegmentsSettings settings = null)
    {
        var ids = await (await CreateBuilder(settings).BuildMatchingCustomerIdsQueryAsync(rule, storeId, Now)).ToListAsync();
        Assert.That(ids, Is.Unique, "each customer once");
        return Names(ids);
    }

    protected string[] Names(IEnumerable<int> ids) =>
        Ids.Where(pair => ids.Contains(pair.Value)).Select(pair => pair.Key).OrderBy(name => name, StringComparer.Ordinal).ToArray();

    protected async Task<string> SqlAsync(SegmentRule rule, CustomerSegmentsSettings settings = null) =>
        LinqToDB.LinqExtensions.ToSqlQuery(await CreateBuilder(settings).BuildMatchingCustomerIdsQueryAsync(rule, 0, Now)).Sql;
}
