using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

public class RuleFieldCatalogTests
{
    private readonly RuleFieldCatalog _catalog = new();

    [Test]
    public void FieldsHaveUniqueNamesKnownOperatorsAndResources()
    {
        var fields = _catalog.GetFields();
        var operators = typeof(RuleOperators).GetFields().Select(f => (string)f.GetValue(null)).ToList();

        Assert.That(fields.Select(f => f.Name), Is.Unique);
        Assert.That(fields.Select(f => f.Category).Distinct(), Is.EquivalentTo(Enum.GetValues<RuleFieldCategory>()));
        foreach (var field in fields)
        {
            Assert.That(field.Operators, Is.Not.Empty.And.SubsetOf(operators), field.Name);
            Assert.That(_catalog.GetField(field.Name), Is.SameAs(field));
            Assert.That(field.ResourceKey, Does.StartWith("Plugins.Misc.CustomerSegments.Rules.Field."));
            Assert.That(field.IsTimeDependent, Is.EqualTo(field.Sources.HasFlag(RuleDataSources.Clock)), field.Name);
            Assert.That(!field.RequiresPeriod || field.HasPeriod, Is.True, field.Name);
            if (field.DataType == RuleDataType.ChoiceSet)
                Assert.That(field.Operators, Is.EquivalentTo(new[] { RuleOperators.AnyOf, RuleOperators.AllOf, RuleOperators.NoneOf }), field.Name);
            if (field.DataType is RuleDataType.Choice or RuleDataType.ChoiceSet)
                Assert.That(field.ValueSource, Is.Not.EqualTo(RuleValueSource.None), field.Name);
        }

        Assert.That(_catalog.GetField("nope"), Is.Null);
        Assert.That(_catalog.GetField(null), Is.Null);
    }

    /// <summary>
    /// Field coverage on real rows: <see cref="SegmentRuleAgreementTests"/> runs every operator of every field of
    /// the catalog against a reference evaluation on a random shop, on each engine, and requires each field to
    /// select some customers and not others
    /// </summary>
    [Test]
    public void EveryFieldIsInTheCatalogAndTestedOnRealRowsOnEveryEngine()
    {
        var constants = typeof(RuleFields).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetValue(null)).ToList();
        var catalog = _catalog.GetFields().Select(f => f.Name).ToList();
        Assert.That(catalog, Is.EquivalentTo(constants));

        var source = typeof(SegmentRuleAgreementTests).GetMethod("FieldNames", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        Assert.That(source, Is.Not.Null);
        var testedFields = ((IEnumerable<string>)source!.Invoke(null, null)).ToList();
        Assert.That(testedFields, Is.EquivalentTo(catalog));

        var perField = typeof(SegmentRuleAgreementTests).GetMethod(nameof(SegmentRuleAgreementTests.EachOperatorOfTheFieldAgreesWithTheReference));
        Assert.That(perField!.GetCustomAttributes(typeof(TestCaseSourceAttribute), false).Cast<TestCaseSourceAttribute>().Single().SourceName, Is.EqualTo("FieldNames"));
        Assert.That(typeof(Infrastructure.DatabaseTestBase).IsAssignableFrom(typeof(SegmentRuleAgreementTests)), Is.True);
        Assert.That(Infrastructure.DatabaseTestBase.Engines, Is.EquivalentTo(Enum.GetValues<TestKit.DatabaseEngine>()));
    }

    [Test]
    public void DateFieldsTakeRelativeAndAbsoluteDates()
    {
        foreach (var field in _catalog.GetFields().Where(f => f.DataType == RuleDataType.Date))
        {
            Assert.That(field.Operators, Is.SupersetOf(new[] { RuleOperators.InLastDays, RuleOperators.MoreThanDaysAgo, RuleOperators.BetweenDates, RuleOperators.Before, RuleOperators.After }), field.Name);
            Assert.That(field.IsTimeDependent, Is.True, field.Name);
        }
    }

    [TestCase(4, 4, 4, RfmGroups.Champions)]
    [TestCase(3, 5, 1, RfmGroups.Loyal)]
    [TestCase(5, 4, 3, RfmGroups.Loyal)]
    [TestCase(5, 1, 5, RfmGroups.New)]
    [TestCase(4, 3, 3, RfmGroups.PotentialLoyalists)]
    [TestCase(3, 1, 1, RfmGroups.PotentialLoyalists)]
    [TestCase(2, 5, 5, RfmGroups.AtRisk)]
    [TestCase(1, 2, 5, RfmGroups.Hibernating)]
    public void RfmGroupsFollowTheirDefinition(int r, int f, int m, string group) =>
        Assert.That(RfmGroups.Of(r, f, m), Is.EqualTo(group));
}
