using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

public class SegmentRuleSerializerTests
{
    private readonly SegmentRuleSerializer _serializer = new();

    [Test]
    public void ARuleSurvivesARoundTrip()
    {
        var rule = new SegmentRule
        {
            Root = new RuleGroup
            {
                Match = GroupMatch.Any,
                Children =
                [
                    new RuleCondition { Field = RuleFields.SpentInPeriod, Operator = RuleOperators.Between, Values = [JsonSerializer.SerializeToElement(10.5m), JsonSerializer.SerializeToElement(20)], PeriodDays = 30 },
                    new RuleGroup { Negate = true, Children = [new RuleCondition { Field = RuleFields.GenericAttribute, Operator = RuleOperators.Equal, Key = "Source", Values = [JsonSerializer.SerializeToElement("ads")] }] }
                ]
            }
        };

        var json = _serializer.Serialize(rule);
        var parsed = _serializer.Parse(json);

        Assert.That(parsed.Success, Is.True);
        Assert.That(_serializer.Serialize(parsed.Rule), Is.EqualTo(json));
        Assert.That(json, Does.Contain("\"kind\":\"condition\"").And.Contain("\"kind\":\"group\"").And.Contain("\"match\":\"Any\""));
        var inner = (RuleGroup)parsed.Rule.Root.Children[1];
        Assert.That(inner.Negate, Is.True);
        Assert.That(((RuleCondition)inner.Children[0]).Key, Is.EqualTo("Source"));
    }

    [Test]
    public void TheKindMayComeAfterOtherProperties()
    {
        var parsed = _serializer.Parse("""{"version":1,"root":{"children":[{"field":"customer.active","operator":"eq","values":[true],"kind":"condition"}],"kind":"group"}}""");
        Assert.That(parsed.Success, Is.True, string.Join(", ", parsed.Errors.Select(e => e.Message)));
        Assert.That(((RuleCondition)parsed.Rule.Root.Children[0]).Field, Is.EqualTo(RuleFields.Active));
    }

    [TestCase("", "JsonEmpty")]
    [TestCase("   ", "JsonEmpty")]
    [TestCase("{", "JsonMalformed")]
    [TestCase("[1,2]", "JsonMalformed")]
    [TestCase("null", "JsonMalformed")]
    [TestCase("""{"root":{"children":[{"kind":"banana"}]}}""", "JsonMalformed")]
    [TestCase("""{"root":{"children":[{"field":"x"}]}}""", "JsonMalformed")]
    [TestCase("""{"root":{"children":[null]}}""", "JsonMalformed")]
    [TestCase("""{"root":{"match":"Sometimes","children":[]}}""", "JsonMalformed")]
    [TestCase("""{"root":{"children":[{"kind":"condition","periodDays":"ten"}]}}""", "JsonMalformed")]
    [TestCase("""{"version":99,"root":{"children":[]}}""", "UnsupportedVersion")]
    public void BadJsonGivesAnErrorNotAnException(string json, string error)
    {
        var parsed = _serializer.Parse(json);

        Assert.That(parsed.Success, Is.False);
        Assert.That(parsed.Rule, Is.Null);
        Assert.That(parsed.Errors.Single().ResourceKey, Does.EndWith("." + error));
        Assert.That(parsed.Errors.Single().Path, Is.EqualTo(string.Empty));
        Assert.That(parsed.Errors.Single().Message, Does.StartWith("The rule"));
    }

    [Test]
    public void OversizedAndTooDeepJsonGiveErrors()
    {
        var huge = "{\"root\":{\"children\":[" + string.Join(",", Enumerable.Repeat("""{"kind":"condition","field":"customer.active","operator":"eq","values":[true]}""", 4000)) + "]}}";
        Assert.That(huge.Length, Is.GreaterThan(RuleValueLimits.MaxJsonLength));
        Assert.That(_serializer.Parse(huge).Errors.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.JsonTooLarge));

        var deep = "{\"root\":" + string.Concat(Enumerable.Repeat("{\"kind\":\"group\",\"children\":[", 200)) + string.Concat(Enumerable.Repeat("]}", 200)) + "}";
        var parsed = _serializer.Parse(deep);
        Assert.That(parsed.Success, Is.False);
        Assert.That(parsed.Errors.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.TooDeep));
    }

    /// <summary>
    /// "match" takes "All" or "Any" only: a number (or a number in a string) is a wrong value type, as "Sometimes" is
    /// </summary>
    [TestCase("""{"version":1,"root":{"kind":"group","match":7,"children":[]}}""")]
    [TestCase("""{"version":1,"root":{"kind":"group","match":1,"children":[]}}""")]
    [TestCase("""{"version":1,"root":{"kind":"group","match":"1","children":[]}}""")]
    public void AGroupMatchThatIsNotAllOrAnyIsRefused(string json)
    {
        var parsed = _serializer.Parse(json);

        Assert.That(parsed.Success, Is.False, parsed.Success ? "stored as " + _serializer.Serialize(parsed.Rule) : null);
        Assert.That(parsed.Errors.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.JsonMalformed));
    }

    /// <summary>
    /// A property the rule does not know ("negated" for "negate", "value" for "values") is reported, not dropped: dropped,
    /// the rule is saved with another meaning than the one sent
    /// </summary>
    [TestCase("""{"version":1,"root":{"kind":"group","negated":true,"children":[{"kind":"condition","field":"orders.count","operator":"gte","values":[1]}]}}""")]
    [TestCase("""{"version":1,"root":{"kind":"group","children":[{"kind":"condition","field":"customer.active","operator":"eq","values":[true],"periodDay":30}]}}""")]
    public void UnknownPropertiesAreRefused(string json)
    {
        var parsed = _serializer.Parse(json);

        Assert.That(parsed.Success, Is.False, parsed.Success ? "stored as " + _serializer.Serialize(parsed.Rule) : null);
        Assert.That(parsed.Errors.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.JsonMalformed));
    }
}
