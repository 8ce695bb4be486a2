using System.Globalization;
using System.Text.Json;
using LinqToDB.Async;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Admin;
using Nop.Plugin.Misc.CustomerSegments.Tests.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Localization;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.SqlServer;

/// <summary>
/// The rule queries, run on SQLite and built a second time for SQL Server (see <see cref="SqlServerDryRun"/>): every
/// field and operator translates, and no statement of a rule the validator accepts sends SQL Server more parameters
/// than it takes
/// </summary>
[TestFixture]
public class SqlServerRuleQueryTests : SqlServerDryRunFixture
{
    private static readonly string[] _listOperators = [In, NotIn, AnyOf, AllOf, NoneOf];

    private readonly RuleFieldCatalog _catalog = new();
    private SegmentRuleValidator _validator;

    protected override async Task FillShopAsync()
    {
        var data = new AdminTestData(_shop);
        await data.GuestAsync();
        await data.CustomerAsync("ann@example.com", new DateTime(1980, 3, 4), "Ann");
        await data.SegmentAsync("Referenced");

        var segments = new Mock<ISegmentService>();
        segments.SetupSegments(id => new Segment { Id = id, Name = $"S{id}", SegmentTypeId = (int)SegmentType.Dynamic, Active = true });
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => key);
        _validator = new SegmentRuleValidator(_catalog, new SegmentRuleSerializer(), segments.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), Rules.KnownValues.All());
    }

    /// <summary>
    /// A valid condition of the field and operator; a list operator gets <paramref name="listSize"/> different values
    /// (as many as the field allows), different ones for each seed where the field has enough
    /// </summary>
    private RuleCondition Condition(RuleFieldDescriptor field, string op, int listSize, int seed)
    {
        var condition = new RandomRules(seed, _catalog, [1, 2, 3]).Condition(field, op);
        if (!_listOperators.Contains(op))
            return condition;

        IEnumerable<JsonElement> values = field.AllowedValues != null
            ? field.AllowedValues.Select(value => JsonSerializer.SerializeToElement(value))
            : condition.Values[0].ValueKind == JsonValueKind.String
                ? Enumerable.Range(seed * listSize, listSize).Select(i => JsonSerializer.SerializeToElement($"value {i.ToString(CultureInfo.InvariantCulture)}"))
                : Enumerable.Range((int)field.MinValue, (int)Math.Min(field.MaxValue - field.MinValue + 1, int.MaxValue))
                    .Skip(field.MaxValue - field.MinValue + 1 >= (seed + 1) * listSize ? seed * listSize : 0)
                    .Take(listSize).Select(i => JsonSerializer.SerializeToElement(i));
        condition.Values = values.Take(listSize).ToList();
        return condition;
    }

    private static SegmentRule RuleOf(params RuleNode[] nodes)
    {
        var root = new RuleGroup();
        root.Children.AddRange(nodes);
        return new SegmentRule { Root = root };
    }

    private async Task AssertValidAsync(SegmentRule rule)
    {
        var errors = await _validator.ValidateAsync(rule, 0);
        Assert.That(errors.Select(error => $"{error.Path}: {error.Message}"), Is.Empty, "the validator accepts the rule");
    }

    private async Task RunAsync(SegmentRule rule, int storeId = 0)
    {
        var query = await _shop.NewRuleQueryBuilder().BuildMatchingCustomerIdsQueryAsync(rule, storeId, _now);
        await query.ToListAsync();
    }

    /// <summary>
    /// Runs the rule's query; the SQL Server statements are built before the test's engine runs it, and an error of that engine is ignored
    /// </summary>
    private async Task RunIgnoringEngineAsync(SegmentRule rule, int storeId)
    {
        try
        {
            await RunAsync(rule, storeId);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
        }
    }

    private void AssertBuiltForSqlServer(string what)
    {
        Assert.That(_dryRun.Failures.Select(failure => $"{failure.Exception.GetType().Name}: {failure.Exception.Message}"), Is.Empty,
            $"{what}: linq2db writes every query for SQL Server");
        Assert.That(_dryRun.Statements, Is.Not.Empty, $"{what}: statements were built for SQL Server");
        var largest = _dryRun.Statements.MaxBy(statement => statement.ParameterCount);
        Assert.That(largest.ParameterCount, Is.LessThan(SqlServerDryRun.MaxParameters),
            $"{what}: parameters of the largest statement ({largest.Sql.Length} characters)");
    }

    public static IEnumerable<TestCaseData> FieldsAndOperators() =>
        new RuleFieldCatalog().GetFields().SelectMany(field => field.Operators.Select(op => new TestCaseData(field.Name, op).SetArgDisplayNames(field.Name, op)));

    [TestCaseSource(nameof(FieldsAndOperators))]
    public async Task EveryFieldAndOperatorBuildsForSqlServer(string fieldName, string op)
    {
        var field = _catalog.GetField(fieldName);
        foreach (var storeId in new[] { 0, 1 })
        {
            foreach (var listSize in _listOperators.Contains(op) ? new[] { 1, RuleExpressions.MaxValuesAsParameters, RuleExpressions.MaxValuesAsParameters + 1 } : [1])
            {
                var rule = RuleOf(Condition(field, op, listSize, seed: listSize));
                await AssertValidAsync(rule);
                await RunAsync(rule, storeId);
            }
        }

        AssertBuiltForSqlServer($"{fieldName} {op}");
    }

    public static IEnumerable<TestCaseData> ListFieldsAndOperators() =>
        FieldsAndOperators().Where(data => _listOperators.Contains((string)data.Arguments[1]));

    /// <summary>
    /// A condition with the most values the validator accepts
    /// </summary>
    [TestCaseSource(nameof(ListFieldsAndOperators))]
    public async Task TheLongestValueListStaysUnderSqlServersParameterLimit(string fieldName, string op)
    {
        var rule = RuleOf(Condition(_catalog.GetField(fieldName), op, RuleValueLimits.MaxValuesOf(fieldName), seed: 1));
        await AssertValidAsync(rule);
        //what SQLite makes of it is not the question here (it refuses some of these rules: the expression is too deep)
        await RunIgnoringEngineAsync(rule, storeId: 1);

        AssertBuiltForSqlServer($"{fieldName} {op} of {RuleValueLimits.MaxValuesOf(fieldName)} values");
    }

    /// <summary>
    /// "In all of these roles" is one grouped subquery whatever the number of roles: a subquery per role took
    /// PostgreSQL's planner more than ten minutes for 1,000 roles
    /// </summary>
    [Test]
    public async Task RolesAllOfReadsTheRoleMappingsOnceWhateverTheNumberOfRoles()
    {
        async Task<int> MappingReadsAsync(SegmentRule rule)
        {
            _dryRun.Clear();
            await RunAsync(rule, storeId: 1);
            var sql = string.Join("\n", _dryRun.Statements.Select(statement => statement.Sql));
            return sql.Split("Customer_CustomerRole_Mapping").Length - 1;
        }

        SegmentRule InAllOf(int roles) => RuleOf(Condition(_catalog.GetField(RuleFields.CustomerRoles), RuleOperators.AllOf, roles, seed: 1));

        //the eligibility (guests, registered) reads the mappings too
        Assert.That(await MappingReadsAsync(InAllOf(RuleValueLimits.MaxValues)), Is.EqualTo(await MappingReadsAsync(InAllOf(2))));
    }

    private async Task<int> MostParametersAsync(SegmentRule rule)
    {
        _dryRun.Clear();
        await RunAsync(rule, storeId: 1);
        Assert.That(_dryRun.Failures, Is.Empty);
        return _dryRun.Statements.Max(statement => statement.ParameterCount);
    }

    /// <summary>
    /// A rule of 200 conditions of one field and operator, each with the most values sent one parameter each: the
    /// parameters of one condition and of two, extrapolated to 200 (a rule of 200 per case would take minutes)
    /// </summary>
    [Test]
    public async Task TheLargestRuleOfAnyOneFieldStaysUnderSqlServersParameterLimit()
    {
        var over = new List<string>();
        foreach (var data in FieldsAndOperators())
        {
            var (field, op) = (_catalog.GetField((string)data.Arguments[0]), (string)data.Arguments[1]);
            var one = await MostParametersAsync(RuleOf(Condition(field, op, RuleExpressions.MaxValuesAsParameters, seed: 1)));
            var two = await MostParametersAsync(RuleOf(Condition(field, op, RuleExpressions.MaxValuesAsParameters, seed: 1),
                Condition(field, op, RuleExpressions.MaxValuesAsParameters, seed: 2)));
            var largest = one + (RuleValueLimits.MaxConditions - 1) * (two - one);
            if (largest >= SqlServerDryRun.MaxParameters)
                over.Add($"{field.Name} {op}: {one} parameters for one condition, {two} for two, about {largest} for 200");
        }

        Assert.That(over, Is.Empty);
    }

    /// <summary>
    /// The largest rule the validator accepts: 200 conditions in groups nested 8 deep, each list of the most values
    /// sent one parameter each, every field and operator in turn (those reading other tables up to their limit, 50)
    /// </summary>
    [Test]
    public async Task TheLargestRuleStaysUnderSqlServersParameterLimit()
    {
        var conditions = new List<RuleCondition>();
        var cases = FieldsAndOperators().Select(data => (Field: _catalog.GetField((string)data.Arguments[0]), Op: (string)data.Arguments[1])).ToList();
        var tableConditions = 0;
        for (var i = 0; conditions.Count < RuleValueLimits.MaxConditions; i++)
        {
            var (field, op) = cases[i % cases.Count];
            if (field.ReadsOtherTables && ++tableConditions > RuleValueLimits.MaxTableConditions)
                continue;
            conditions.Add(Condition(field, op, RuleExpressions.MaxValuesAsParameters, seed: i));
        }

        //groups nested to the deepest level, alternately all and any, the conditions spread over them
        var groups = Enumerable.Range(0, RuleValueLimits.MaxDepth).Select(depth => new RuleGroup { Match = depth % 2 == 0 ? GroupMatch.All : GroupMatch.Any }).ToList();
        for (var depth = 1; depth < groups.Count; depth++)
            groups[depth - 1].Children.Add(groups[depth]);
        for (var i = 0; i < conditions.Count; i++)
            groups[i % groups.Count].Children.Add(conditions[i]);
        var rule = new SegmentRule { Root = groups[0] };

        await AssertValidAsync(rule);
        await RunAsync(rule, storeId: 1);

        AssertBuiltForSqlServer("a rule of 200 conditions");
    }
}
