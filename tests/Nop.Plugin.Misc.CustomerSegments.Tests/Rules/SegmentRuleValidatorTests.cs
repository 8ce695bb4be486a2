using System.Text.Json;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

public class SegmentRuleValidatorTests
{
    private Dictionary<int, Segment> _segments;
    private Dictionary<int, string> _stores;
    private SegmentRuleValidator _validator;
    private Mock<ISegmentValueLookupService> _lookups;
    private Mock<ISegmentService> _segmentService;

    [SetUp]
    public void SetUp()
    {
        _segments = new Dictionary<int, Segment>
        {
            [1] = new() { Id = 1, Name = "One" },
            [2] = new() { Id = 2, Name = "Two" },
            [3] = new() { Id = 3, Name = "Three" }
        };
        var segmentService = _segmentService = new Mock<ISegmentService>();
        segmentService.SetupSegments(_segments.GetValueOrDefault);

        //the stores the pickers offer: store 3 was deleted, so it is not among them
        _stores = new Dictionary<int, string> { [1] = "Main", [2] = "Outlet" };
        _lookups = new Mock<ISegmentValueLookupService>();
        _lookups.Setup(l => l.GetByIdsAsync(RuleValueSource.Stores, It.IsAny<IList<int>>()))
            .ReturnsAsync((RuleValueSource _, IList<int> ids) => ids.Where(_stores.ContainsKey).Select(id => new ValueLookupItem(id, _stores[id])).ToList());

        //the rows of the other tables, deleted ones included: ids 1 to 2000 exist
        _lookups.Setup(l => l.GetExistingIdsAsync(It.IsAny<RuleValueSource>(), It.IsAny<IList<int>>()))
            .ReturnsAsync((RuleValueSource _, IList<int> ids) => ids.Where(id => id is >= 1 and <= 2000).ToHashSet());

        //the English texts, as nopCommerce would return them
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>()))
            .ReturnsAsync((string key) => LocaleResources.EnglishResources.GetValueOrDefault(key, key));

        _validator = new SegmentRuleValidator(new RuleFieldCatalog(), new SegmentRuleSerializer(), segmentService.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), _lookups.Object);
    }

    private static RuleCondition C(string field, string op, params object[] values) =>
        new() { Field = field, Operator = op, Values = values.Select(v => JsonSerializer.SerializeToElement(v)).ToList() };

    private static SegmentRule Rule(params RuleNode[] children) => new() { Root = new RuleGroup { Children = [.. children] } };

    private async Task<RuleValidationError> SingleErrorAsync(SegmentRule rule, int segmentId = 0)
    {
        var errors = await _validator.ValidateAsync(rule, segmentId);
        Assert.That(errors, Has.Count.EqualTo(1), string.Join(" | ", errors.Select(e => e.Message)));
        return errors[0];
    }

    [Test]
    public async Task AValidRuleHasNoErrors()
    {
        var rule = Rule(
            C(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 2),
            new RuleGroup
            {
                Match = GroupMatch.Any, Negate = true,
                Children = [C(RuleFields.BillingCity, RuleOperators.Contains, "par"), C(RuleFields.LastOrderDate, RuleOperators.BetweenDates, "2025-01-01", "2025-12-31")]
            },
            C(RuleFields.RfmGroup, RuleOperators.In, RfmGroups.Champions, RfmGroups.Loyal),
            new RuleCondition { Field = RuleFields.SpentInPeriod, Operator = RuleOperators.Between, Values = [JsonSerializer.SerializeToElement(10.5), JsonSerializer.SerializeToElement(99)], PeriodDays = 30 },
            new RuleCondition { Field = RuleFields.GenericAttribute, Operator = RuleOperators.IsNotEmpty, Key = "Source" },
            C(RuleFields.SegmentMember, RuleOperators.NotIn, 1, 2));

        Assert.That(await _validator.ValidateAsync(rule, 5), Is.Empty);
    }

    [Test]
    public async Task GenderTakesNopCommercesNeutralGender()
    {
        //nopCommerce 4.90 stores "N" when CustomerSettings.NeutralGenderEnabled offers it
        var rule = Rule(C(RuleFields.Gender, RuleOperators.Equal, "N"), C(RuleFields.Gender, RuleOperators.In, "M", "F", "N"));

        Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty);
    }

    [Test]
    public async Task TextFieldsTakeListsOfTexts()
    {
        var rule = Rule(
            C(RuleFields.BillingCity, RuleOperators.In, "Berlin", "Paris"),
            C(RuleFields.Company, RuleOperators.NotIn, "Acme"),
            new RuleCondition { Field = RuleFields.GenericAttribute, Operator = RuleOperators.In, Key = "Source", Values = [JsonSerializer.SerializeToElement("ads")] });

        Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty);
    }

    [TestCase(new object[0], "EmptyList")]
    [TestCase(new object[] { "Berlin", "" }, "TextExpected")]
    [TestCase(new object[] { "Berlin", 12 }, "TextExpected")]
    [TestCase(new object[] { "Ber\u0000lin" }, "TextInvalid")]
    public async Task AWrongTextListIsRefused(object[] values, string expectedKey)
    {
        values = values.Select(v => v is string text ? System.Text.RegularExpressions.Regex.Unescape(text) : v).ToArray();

        var error = await SingleErrorAsync(Rule(C(RuleFields.ShippingCity, RuleOperators.NotIn, values)));

        Assert.That(error.Path, Is.EqualTo("0"));
        Assert.That(error.ResourceKey, Does.EndWith("." + expectedKey));
    }

    [Test]
    public async Task ATooLongTextInAListIsRefusedAndSoIsATooLongList()
    {
        var tooLong = await SingleErrorAsync(Rule(C(RuleFields.BillingZipPostalCode, RuleOperators.In, "10115", new string('9', RuleValueLimits.MaxTextLength + 1))));
        var tooMany = await SingleErrorAsync(Rule(C(RuleFields.BillingZipPostalCode, RuleOperators.In,
            Enumerable.Range(0, RuleValueLimits.MaxValues + 1).Select(i => (object)i.ToString()).ToArray())));

        Assert.That(tooLong.ResourceKey, Is.EqualTo(RuleErrorKeys.TextTooLong));
        Assert.That(tooMany.ResourceKey, Is.EqualTo(RuleErrorKeys.TooManyValues));
    }

    /// <summary>
    /// The rule is stored as the serializer writes it, which escapes apostrophes and letters beyond ASCII: sent raw by the
    /// rule builder, a rule within the limit was saved six times as large and then refused at every rebuild
    /// </summary>
    [TestCase("'")]
    [TestCase("\u00fc")]
    [TestCase("\ud83d\ude00")]
    public async Task ARuleThatWouldBeStoredLargerThanTheLimitIsRefused(string letter)
    {
        var text = string.Concat(Enumerable.Repeat(letter, (RuleValueLimits.MaxTextLength - 4) / letter.Length));
        var values = string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"{i}{text}\""));
        var json = "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"customer.company\",\"operator\":\"in\",\"values\":[" + values + "]}]}}";
        var parsed = new SegmentRuleSerializer().Parse(json);
        Assert.That(parsed.Success, Is.True, "within the limit as sent");

        var error = await SingleErrorAsync(parsed.Rule);

        Assert.That(error.ResourceKey, Is.EqualTo(RuleErrorKeys.JsonTooLarge));
        Assert.That(error.Message, Is.EqualTo($"The rule is too large (at most {RuleValueLimits.MaxJsonLength / 1024} KB)."));
    }

    [Test]
    public async Task ARuleOfEscapedLettersWithinTheLimitWhenStoredIsValid()
    {
        var values = string.Join(",", Enumerable.Range(0, 30).Select(i => $"\"{i}{new string('\'', 390)}\""));
        var json = "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"customer.company\",\"operator\":\"in\",\"values\":[" + values + "]}]}}";
        var serializer = new SegmentRuleSerializer();

        Assert.That(await _validator.ValidateAsync(serializer.Parse(json).Rule, 0), Is.Empty);
        Assert.That(serializer.Parse(serializer.Serialize(serializer.Parse(json).Rule)).Success, Is.True);
    }

    /// <summary>
    /// Each option of a customer attribute is a text test of the attributes' XML: a thousand of them took linq2db seconds
    /// to translate for every statement reading the rule, where an attribute has a few options
    /// </summary>
    [Test]
    public async Task ACustomerAttributeConditionTakesAHundredOptionsAtMost()
    {
        RuleCondition Options(int count)
        {
            var condition = C(RuleFields.CustomerAttributeValues, RuleOperators.AnyOf, Enumerable.Range(1, count).Cast<object>().ToArray());
            condition.Key = "3";
            return condition;
        }

        Assert.That(await _validator.ValidateAsync(Rule(Options(RuleValueLimits.MaxAttributeValues)), 0), Is.Empty);
        var tooMany = await SingleErrorAsync(Rule(Options(RuleValueLimits.MaxAttributeValues + 1)));

        Assert.That(tooMany.ResourceKey, Is.EqualTo(RuleErrorKeys.TooManyValues));
        Assert.That(tooMany.Message, Does.Contain("100"), "the limit is named");
        Assert.That(await _validator.ValidateAsync(Rule(C(RuleFields.CustomerRoles, RuleOperators.AnyOf,
            Enumerable.Range(1, RuleValueLimits.MaxAttributeValues + 1).Cast<object>().ToArray())), 0), Is.Empty, "other lists keep their limit");
    }

    [Test]
    public async Task AnEmptyRootMatchesEveryoneButAnEmptyInnerGroupIsAnError()
    {
        Assert.That(await _validator.ValidateAsync(new SegmentRule(), 0), Is.Empty);

        var error = await SingleErrorAsync(Rule(C(RuleFields.Active, RuleOperators.Equal, true), new RuleGroup()));
        Assert.That(error.Path, Is.EqualTo("1"));
        Assert.That(error.ResourceKey, Is.EqualTo(RuleErrorKeys.EmptyGroup));
        Assert.That(error.Message, Does.Contain("Item 2"));
    }

    [Test]
    public async Task AnErrorWhoseTranslationDoesNotFormatIsGivenInTheDefaultTextInsteadOfFailing()
    {
        //an admin's translations: the condition's name with a placeholder it has no argument for and a brace out of place,
        //an error with a placeholder of its own
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>()))
            .ReturnsAsync((string key) => LocaleResources.EnglishResources.GetValueOrDefault(key, key));
        localization.Setup(l => l.GetResourceAsync(RuleErrorKeys.ConditionSubject)).ReturnsAsync("{3} {");
        localization.Setup(l => l.GetResourceAsync(RuleErrorKeys.OneValueExpected)).ReturnsAsync("{0}: {2}");
        var validator = new SegmentRuleValidator(new RuleFieldCatalog(), new SegmentRuleSerializer(), _segmentService.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), _lookups.Object);

        var errors = await validator.ValidateAsync(Rule(C(RuleFields.OrderCount, RuleOperators.GreaterThan)), 0);

        var field = LocaleResources.EnglishResources[new RuleFieldCatalog().GetField(RuleFields.OrderCount).ResourceKey];
        Assert.That(errors.Select(error => (error.ResourceKey, error.Message)),
            Is.EqualTo(new[] { (RuleErrorKeys.OneValueExpected, $"Condition 1 ({field}): enter one value.") }));
    }

    private static IEnumerable<TestCaseData> WrongConditions()
    {
        TestCaseData Case(RuleCondition condition, string key) => new TestCaseData(condition, key).SetArgDisplayNames($"{condition.Field} {condition.Operator} -> {key.Split('.').Last()}");

        yield return Case(C("customer.shoeSize", RuleOperators.Equal, 42), RuleErrorKeys.UnknownField);
        yield return Case(C(RuleFields.OrderCount, "approximately", 3), RuleErrorKeys.UnknownOperator);
        yield return Case(C(RuleFields.OrderCount, RuleOperators.Contains, "3"), RuleErrorKeys.OperatorNotAllowed);
        yield return Case(C(RuleFields.OrderCount, RuleOperators.GreaterThan), RuleErrorKeys.OneValueExpected);
        yield return Case(C(RuleFields.OrderCount, RuleOperators.GreaterThan, 1, 2), RuleErrorKeys.OneValueExpected);
        yield return Case(C(RuleFields.OrderCount, RuleOperators.Between, 1), RuleErrorKeys.TwoValuesExpected);
        yield return Case(C(RuleFields.OrderCount, RuleOperators.Between, 5, 1), RuleErrorKeys.RangeReversed);
        yield return Case(C(RuleFields.Company, RuleOperators.IsEmpty, "x"), RuleErrorKeys.NoValueExpected);
        yield return Case(C(RuleFields.BoughtProducts, RuleOperators.AnyOf), RuleErrorKeys.EmptyList);
        yield return Case(C(RuleFields.BoughtProducts, RuleOperators.AnyOf, Enumerable.Range(1, 1001).Cast<object>().ToArray()), RuleErrorKeys.TooManyValues);
        yield return Case(C(RuleFields.OrderCount, RuleOperators.GreaterThan, "three"), RuleErrorKeys.NumberExpected);
        yield return Case(C(RuleFields.OrderCount, RuleOperators.GreaterThan, 2.5), RuleErrorKeys.WholeNumberExpected);
        yield return Case(C(RuleFields.TotalSpent, RuleOperators.GreaterThan, 1e20), RuleErrorKeys.NumberOutOfRange);
        yield return Case(C(RuleFields.TotalSpent, RuleOperators.GreaterThan, -1), RuleErrorKeys.NumberOutOfRange);
        yield return Case(C(RuleFields.BirthMonth, RuleOperators.Equal, 13), RuleErrorKeys.NumberOutOfRange);
        yield return Case(C(RuleFields.RfmRecency, RuleOperators.Equal, 0), RuleErrorKeys.NumberOutOfRange);
        yield return Case(C(RuleFields.RfmMonetary, RuleOperators.GreaterThan, 6), RuleErrorKeys.NumberOutOfRange);
        yield return Case(C(RuleFields.LastOrderDate, RuleOperators.Before, "2025-02-30"), RuleErrorKeys.DateExpected);
        yield return Case(C(RuleFields.LastOrderDate, RuleOperators.Before, "yesterday"), RuleErrorKeys.DateExpected);
        yield return Case(C(RuleFields.LastOrderDate, RuleOperators.Before, 20250101), RuleErrorKeys.DateExpected);
        yield return Case(C(RuleFields.LastOrderDate, RuleOperators.BetweenDates, "2025-03-01", "2025-01-01"), RuleErrorKeys.RangeReversed);
        yield return Case(C(RuleFields.LastOrderDate, RuleOperators.InLastDays, -3), RuleErrorKeys.DaysOutOfRange);
        yield return Case(C(RuleFields.LastOrderDate, RuleOperators.InLastDays, 1_000_000), RuleErrorKeys.DaysOutOfRange);
        yield return Case(C(RuleFields.Active, RuleOperators.Equal, "yes"), RuleErrorKeys.BooleanExpected);
        yield return Case(C(RuleFields.Company, RuleOperators.Contains, ""), RuleErrorKeys.TextExpected);
        yield return Case(C(RuleFields.Company, RuleOperators.Contains, 5), RuleErrorKeys.TextExpected);
        yield return Case(C(RuleFields.Company, RuleOperators.Contains, new string('a', 401)), RuleErrorKeys.TextTooLong);
        yield return Case(C(RuleFields.Gender, RuleOperators.Equal, "X"), RuleErrorKeys.ValueNotAllowed);
        yield return Case(C(RuleFields.RfmGroup, RuleOperators.In, "vip"), RuleErrorKeys.ValueNotAllowed);
        yield return Case(C(RuleFields.BillingCountry, RuleOperators.In, "France"), RuleErrorKeys.IdExpected);
        yield return Case(C(RuleFields.BillingCountry, RuleOperators.In, 0), RuleErrorKeys.NumberOutOfRange);
        yield return Case(C(RuleFields.OrderCountInPeriod, RuleOperators.GreaterThan, 1), RuleErrorKeys.PeriodRequired);
        yield return Case(new RuleCondition { Field = RuleFields.OrderCount, Operator = RuleOperators.GreaterThan, Values = [JsonSerializer.SerializeToElement(1)], PeriodDays = 30 }, RuleErrorKeys.PeriodNotAllowed);
        yield return Case(new RuleCondition { Field = RuleFields.OrderCountInPeriod, Operator = RuleOperators.GreaterThan, Values = [JsonSerializer.SerializeToElement(1)], PeriodDays = 0 }, RuleErrorKeys.PeriodOutOfRange);
        yield return Case(C(RuleFields.GenericAttribute, RuleOperators.IsNotEmpty), RuleErrorKeys.KeyRequired);
        yield return Case(new RuleCondition { Field = RuleFields.GenericAttribute, Operator = RuleOperators.IsNotEmpty, Key = "  " }, RuleErrorKeys.KeyRequired);
        yield return Case(new RuleCondition { Field = RuleFields.Company, Operator = RuleOperators.IsEmpty, Key = "x" }, RuleErrorKeys.KeyNotAllowed);
        yield return Case(new RuleCondition { Field = RuleFields.GenericAttribute, Operator = RuleOperators.IsEmpty, Key = new string('k', 401) }, RuleErrorKeys.KeyInvalid);
        yield return Case(new RuleCondition { Field = RuleFields.GenericAttribute, Operator = RuleOperators.IsEmpty, Key = "Vat\nNumber" }, RuleErrorKeys.KeyInvalid);
        //the key of a customer attribute condition is the id of one of the shop's customer attributes
        yield return Case(new RuleCondition { Field = RuleFields.CustomerAttributeText, Operator = RuleOperators.IsEmpty, Key = "color" }, RuleErrorKeys.CustomerAttributeKeyInvalid);
        yield return Case(new RuleCondition { Field = RuleFields.CustomerAttributeText, Operator = RuleOperators.IsEmpty, Key = "0" }, RuleErrorKeys.CustomerAttributeKeyInvalid);
        yield return Case(new RuleCondition { Field = RuleFields.CustomerAttributeText, Operator = RuleOperators.IsEmpty, Key = new string('1', 401) }, RuleErrorKeys.CustomerAttributeKeyInvalid);
        yield return Case(C(RuleFields.CustomerAttributeText, RuleOperators.IsNotEmpty), RuleErrorKeys.CustomerAttributeKeyRequired);
        yield return Case(new RuleCondition { Field = RuleFields.CustomerAttributeValues, Operator = RuleOperators.AnyOf, Values = [JsonSerializer.SerializeToElement(3)], Key = " " },
            RuleErrorKeys.CustomerAttributeKeyRequired);
    }

    [TestCaseSource(nameof(WrongConditions))]
    public async Task AWrongConditionGivesItsErrorAtItsPathNamingTheCondition(RuleCondition condition, string expectedKey)
    {
        var rule = Rule(C(RuleFields.Active, RuleOperators.Equal, true), new RuleGroup { Children = [C(RuleFields.Active, RuleOperators.Equal, true), condition] });

        var error = await SingleErrorAsync(rule);

        Assert.That(error.ResourceKey, Is.EqualTo(expectedKey));
        Assert.That(error.Path, Is.EqualTo("1.1"));
        Assert.That(error.Message, Does.StartWith("Condition 2.2"));
        Assert.That(error.Message, Does.Not.Contain("{"));
        var field = new RuleFieldCatalog().GetField(condition.Field);
        if (field != null)
            Assert.That(error.Message, Does.Contain(LocaleResources.EnglishResources[field.ResourceKey]));
    }

    [Test]
    public async Task TooDeepAndTooLargeRulesAreRejected()
    {
        var root = new RuleGroup();
        var group = root;
        for (var depth = 1; depth < 9; depth++)
        {
            var inner = new RuleGroup { Children = [C(RuleFields.Active, RuleOperators.Equal, true)] };
            group.Children.Add(inner);
            group = inner;
        }

        var deep = await SingleErrorAsync(new SegmentRule { Root = root });
        Assert.That(deep.ResourceKey, Is.EqualTo(RuleErrorKeys.TooDeep));
        //each group holds a condition, then the next group
        Assert.That(deep.Path, Is.EqualTo("0.1.1.1.1.1.1.1"));

        var large = Rule(Enumerable.Range(0, 201).Select(_ => (RuleNode)C(RuleFields.Active, RuleOperators.Equal, true)).ToArray());
        var tooMany = await SingleErrorAsync(large);
        Assert.That(tooMany.ResourceKey, Is.EqualTo(RuleErrorKeys.TooManyConditions));
        Assert.That(tooMany.Path, Is.EqualTo(string.Empty));

        Assert.That(await _validator.ValidateAsync(Rule(Enumerable.Range(0, 200).Select(_ => (RuleNode)C(RuleFields.Active, RuleOperators.Equal, true)).ToArray()), 0), Is.Empty);
    }

    [Test]
    public async Task ARuleOf200ConditionsOnOtherTablesIsRejected()
    {
        //each condition is a subquery of another table: ANDed, 200 of them take PostgreSQL seconds to plan
        var rule = Rule(Enumerable.Range(1, 200).Select(id => (RuleNode)C(RuleFields.BoughtCategories, RuleOperators.AnyOf, id)).ToArray());

        var error = await SingleErrorAsync(rule);

        Assert.That(error.ResourceKey, Is.EqualTo(RuleErrorKeys.TooManyTableConditions));
        Assert.That(error.Path, Is.EqualTo(string.Empty));
        Assert.That(error.Message, Does.StartWith("The rule has 200 conditions that read orders"));
        Assert.That(error.Message, Does.Contain($"at most {RuleValueLimits.MaxTableConditions} are allowed"));
    }

    [Test]
    public async Task ConditionsOnOtherTablesAreCountedInEveryGroupAndOnlyThey()
    {
        RuleCondition onOtherTable(int i) => (i % 4) switch
        {
            0 => C(RuleFields.CustomerRoles, RuleOperators.AnyOf, i + 1),
            1 => C(RuleFields.BillingCity, RuleOperators.Equal, $"city {i}"),
            2 => C(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, i),
            _ => C(RuleFields.SegmentMember, RuleOperators.NotIn, 1)
        };
        SegmentRule spread(int count) => Rule(
            C(RuleFields.Active, RuleOperators.Equal, true),
            new RuleGroup
            {
                Match = GroupMatch.Any, Negate = true,
                Children = [.. Enumerable.Range(0, count / 2).Select(i => (RuleNode)onOtherTable(i))]
            },
            new RuleGroup { Children = [.. Enumerable.Range(count / 2, count - count / 2).Select(i => (RuleNode)onOtherTable(i))] });

        Assert.That(await _validator.ValidateAsync(spread(RuleValueLimits.MaxTableConditions), 0), Is.Empty);

        var error = await SingleErrorAsync(spread(RuleValueLimits.MaxTableConditions + 1));
        Assert.That(error.ResourceKey, Is.EqualTo(RuleErrorKeys.TooManyTableConditions));
        Assert.That(error.Args, Is.EqualTo(new object[] { RuleValueLimits.MaxTableConditions, RuleValueLimits.MaxTableConditions + 1 }));

        //the customer's own columns (dates, texts, the attributes XML) are no subqueries: up to the overall limit
        var ownColumns = Enumerable.Range(0, RuleValueLimits.MaxConditions - RuleValueLimits.MaxTableConditions).Select(i => (RuleNode)((i % 3) switch
        {
            0 => C(RuleFields.Company, RuleOperators.NotEqual, $"company {i}"),
            1 => C(RuleFields.Age, RuleOperators.GreaterThan, i % 100),
            _ => new RuleCondition { Field = RuleFields.CustomerAttributeValues, Key = "1", Operator = RuleOperators.AnyOf, Values = [JsonSerializer.SerializeToElement(i + 1)] }
        }));
        var largest = Rule([.. Enumerable.Range(0, RuleValueLimits.MaxTableConditions).Select(i => (RuleNode)onOtherTable(i)), .. ownColumns]);
        Assert.That(await _validator.ValidateAsync(largest, 0), Is.Empty);
    }

    [Test]
    public void FieldsReadingOtherTablesAreThoseWithSubqueries()
    {
        var catalog = new RuleFieldCatalog();
        string[] ownColumns =
        [
            RuleFields.Age, RuleFields.BirthMonth, RuleFields.Gender, RuleFields.Company, RuleFields.HasVatNumber,
            RuleFields.CustomerAttributeValues, RuleFields.CustomerAttributeText, RuleFields.RegisteredDate, RuleFields.LastLoginDate,
            RuleFields.LastActivityDate, RuleFields.Active, RuleFields.RegisteredInStore, RuleFields.Affiliate, RuleFields.Vendor
        ];

        Assert.That(catalog.GetFields().Where(field => !field.ReadsOtherTables).Select(field => field.Name), Is.EquivalentTo(ownColumns));
    }

    [Test]
    public async Task ASegmentCannotReferToItselfDirectlyOrThroughOthers()
    {
        var serializer = new SegmentRuleSerializer();
        //2 refers to 3, 3 refers to 1
        _segments[2].RuleJson = serializer.Serialize(Rule(C(RuleFields.SegmentMember, RuleOperators.In, 3)));
        _segments[3].RuleJson = serializer.Serialize(Rule(C(RuleFields.SegmentMember, RuleOperators.NotIn, 1)));

        var self = await SingleErrorAsync(Rule(C(RuleFields.SegmentMember, RuleOperators.In, 1)), 1);
        Assert.That(self.ResourceKey, Is.EqualTo(RuleErrorKeys.SegmentSelfReference));
        Assert.That(self.Path, Is.EqualTo("0"));

        var cycle = await SingleErrorAsync(Rule(C(RuleFields.Active, RuleOperators.Equal, true), C(RuleFields.SegmentMember, RuleOperators.In, 2)), 1);
        Assert.That(cycle.ResourceKey, Is.EqualTo(RuleErrorKeys.SegmentCycle));
        Assert.That(cycle.Path, Is.EqualTo("1"));
        Assert.That(cycle.Message, Does.Contain("Two"));

        //a new segment (id 0) has no cycle; an unknown segment is an error
        Assert.That(await _validator.ValidateAsync(Rule(C(RuleFields.SegmentMember, RuleOperators.In, 2)), 0), Is.Empty);
        var missing = await SingleErrorAsync(Rule(C(RuleFields.SegmentMember, RuleOperators.In, 99)), 1);
        Assert.That(missing.ResourceKey, Is.EqualTo(RuleErrorKeys.SegmentNotFound));

        //a chain without the segment is fine
        Assert.That(await _validator.ValidateAsync(Rule(C(RuleFields.SegmentMember, RuleOperators.In, 2)), 5), Is.Empty);
    }

    /// <summary>
    /// A rule may name tens of thousands of segments (here 20 conditions of 1,000 ids, within the size limit): they are
    /// read in one look-up, not one by one, and each condition gets one error for its unknown ids, counting each id once
    /// and listing the first of them
    /// </summary>
    [Test]
    public async Task TheSegmentsARuleNamesAreReadInOneLookUp()
    {
        //ids 1 to 3 exist; 3's rule names 2, whose chain is read from the same look-up
        _segments[3].RuleJson = new SegmentRuleSerializer().Serialize(Rule(C(RuleFields.SegmentMember, RuleOperators.In, 2)));
        const int conditionCount = 20;
        var conditions = Enumerable.Range(0, conditionCount)
            .Select(i => (RuleNode)C(RuleFields.SegmentMember, RuleOperators.In,
                [.. Enumerable.Range(1, RuleValueLimits.MaxValues - 1).Select(id => (object)(id + i * 1000)), i == 0 ? 4 : 1]))
            .ToArray();
        _segmentService.Invocations.Clear();

        var errors = await _validator.ValidateAsync(Rule(conditions), 100_000);

        Assert.That(_segmentService.Invocations.Count(call => call.Method.Name == nameof(ISegmentService.GetSegmentsByIdsAsync)), Is.EqualTo(1));
        Assert.That(_segmentService.Invocations.Count(call => call.Method.Name == nameof(ISegmentService.GetSegmentByIdAsync)), Is.Zero);
        Assert.That(errors.Select(error => error.ResourceKey), Is.All.EqualTo(RuleErrorKeys.SegmentsNotFound));
        Assert.That(errors.Select(error => error.Path), Is.EqualTo(Enumerable.Range(0, conditionCount).Select(i => i.ToString())));
        //the first condition names 1 to 999 and 4 (named twice): 996 unknown; the others 999 unknown each
        var first = errors[0];
        Assert.That(first.Args, Is.EqualTo(new object[] { "4, 5, 6, 7, 8, 9, 10, 11, 12, 13, ...", 996 }));
        Assert.That(first.Message, Is.EqualTo("Condition 1 (Member of segment): 996 of the segments do not exist (IDs 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, ...)."));
        Assert.That(errors.Skip(1).Select(error => error.Args[1]), Is.All.EqualTo(999));
    }

    /// <summary>
    /// A store condition is saved only with stores the admin can choose: a deleted or unknown store is an error next to
    /// the condition, naming the store
    /// </summary>
    [Test]
    public async Task AStoreConditionNamesStoresThatExist()
    {
        Assert.That(await _validator.ValidateAsync(Rule(C(RuleFields.RegisteredInStore, RuleOperators.In, 1, 2)), 1), Is.Empty);

        var deleted = await SingleErrorAsync(Rule(C(RuleFields.Active, RuleOperators.Equal, true), C(RuleFields.RegisteredInStore, RuleOperators.Equal, 3)), 1);
        Assert.That(deleted.ResourceKey, Is.EqualTo(RuleErrorKeys.StoreNotFound));
        Assert.That(deleted.Path, Is.EqualTo("1"));
        Assert.That(deleted.Message, Is.EqualTo("Condition 2 (Registered in store): store ID 3 does not exist or was deleted. Choose another store."));

        var several = await SingleErrorAsync(Rule(C(RuleFields.RegisteredInStore, RuleOperators.NotIn, 1, 3, 99)), 0);
        Assert.That((several.ResourceKey, several.Path), Is.EqualTo((RuleErrorKeys.StoresNotFound, "0")));
        Assert.That(several.Message,
            Is.EqualTo("Condition 1 (Registered in store): 2 of the stores do not exist or were deleted (IDs 3, 99). Choose other stores."));
    }

    /// <summary>
    /// A segment's stored rule is checked as it runs: its JSON parsed (errors in English), then validated as a saved rule
    /// </summary>
    [Test]
    public async Task AStoredRuleIsParsedThenValidatedAsSaved()
    {
        var serializer = new SegmentRuleSerializer();
        Segment Stored(string ruleJson) => new() { Id = 1, Name = "Stored", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = ruleJson };

        Assert.That(await _validator.ValidateStoredAsync(Stored(serializer.Serialize(Rule(C(RuleFields.RegisteredInStore, RuleOperators.Equal, 3))))), Is.Empty,
            "a store deleted since it was saved");
        var unsound = await _validator.ValidateStoredAsync(Stored(serializer.Serialize(Rule(C(RuleFields.RegisteredInStore, RuleOperators.Equal, 0)))));
        Assert.That(unsound.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.NumberOutOfRange));

        foreach (var json in new[] { "{\"root\":", null })
        {
            var malformed = await _validator.ValidateStoredAsync(Stored(json));
            Assert.That(malformed.Select(error => error.ResourceKey), Is.Not.Empty.And.All.AnyOf(RuleErrorKeys.JsonMalformed, RuleErrorKeys.JsonEmpty), json ?? "null");
            Assert.That(malformed.Select(error => error.Message), Has.None.StartsWith("Plugins."), "in the admin's language");
        }
    }

    /// <summary>
    /// A saved rule keeps running when a store it names is deleted afterwards: the condition keeps matching the
    /// customers registered in it, as a condition on a deleted product keeps matching its buyers
    /// </summary>
    [Test]
    public async Task ASavedRuleNamingADeletedStoreStillRuns()
    {
        var rule = Rule(C(RuleFields.RegisteredInStore, RuleOperators.Equal, 3));

        Assert.That(await _validator.ValidateSavedAsync(rule, 1), Is.Empty);
        Assert.That((await _validator.ValidateAsync(rule, 1)).Single().ResourceKey, Is.EqualTo(RuleErrorKeys.StoreNotFound));

        //the rest is checked as when it is saved
        var unsound = await _validator.ValidateSavedAsync(Rule(C(RuleFields.RegisteredInStore, RuleOperators.Equal, 0)), 1);
        Assert.That(unsound.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.NumberOutOfRange));
        var missingSegment = await _validator.ValidateSavedAsync(Rule(C(RuleFields.SegmentMember, RuleOperators.In, 99)), 1);
        Assert.That(missingSegment.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.SegmentNotFound));
    }

    /// <summary>
    /// A condition picking ids from a table (roles, products, countries ...) is saved only with ids that name a row: each
    /// missing id is an error next to the condition, naming the id
    /// </summary>
    [TestCase(RuleFields.CustomerRoles, RuleOperators.AnyOf, RuleValueSource.CustomerRoles, "Customer roles")]
    [TestCase(RuleFields.BoughtProducts, RuleOperators.NoneOf, RuleValueSource.Products, "Bought products")]
    [TestCase(RuleFields.BoughtCategories, RuleOperators.AllOf, RuleValueSource.Categories, "Bought from categories")]
    [TestCase(RuleFields.BoughtManufacturers, RuleOperators.AnyOf, RuleValueSource.Manufacturers, "Bought from manufacturers")]
    [TestCase(RuleFields.BillingCountry, RuleOperators.In, RuleValueSource.Countries, "Billing country")]
    [TestCase(RuleFields.ShippingStateProvince, RuleOperators.NotIn, RuleValueSource.StateProvinces, "Shipping state / province")]
    [TestCase(RuleFields.Vendor, RuleOperators.In, RuleValueSource.Vendors, "Vendor")]
    [TestCase(RuleFields.Affiliate, RuleOperators.In, RuleValueSource.Affiliates, "Affiliate")]
    public async Task AConditionOnATableNamesRowsThatExist(string field, string op, RuleValueSource source, string fieldName)
    {
        Assert.That(await _validator.ValidateAsync(Rule(C(field, op, 1, 2)), 1), Is.Empty);

        var missing = await SingleErrorAsync(Rule(C(RuleFields.Active, RuleOperators.Equal, true), C(field, op, 2, 999999)), 1);
        Assert.That((missing.ResourceKey, missing.Path, missing.Args.Single()), Is.EqualTo((RuleErrorKeys.ValueNotFound, "1", (object)999999)));
        Assert.That(missing.Message, Is.EqualTo($"Condition 2 ({fieldName}): ID 999999 does not exist. Choose another value."));

        var several = await SingleErrorAsync(Rule(C(field, op, 1, 3000, 4000)), 0);
        Assert.That((several.ResourceKey, several.Path, several.Args), Is.EqualTo((RuleErrorKeys.ValuesNotFound, "0", new object[] { "3000, 4000", 2 })));
        Assert.That(several.Message, Is.EqualTo($"Condition 1 ({fieldName}): 2 of the IDs do not exist (3000, 4000). Choose other values."));
        _lookups.Verify(l => l.GetExistingIdsAsync(source, It.IsAny<IList<int>>()), Times.Exactly(3));
    }

    [Test]
    public async Task ACustomerAttributeConditionNamesOptionsThatExist()
    {
        var condition = C(RuleFields.CustomerAttributeValues, RuleOperators.AnyOf, 5, 5000);
        condition.Key = "1";

        var error = await SingleErrorAsync(Rule(condition));

        Assert.That((error.ResourceKey, error.Args.Single()), Is.EqualTo((RuleErrorKeys.ValueNotFound, (object)5000)));
    }

    /// <summary>
    /// One read per table, whatever the number of conditions naming it; its ids are those of all its conditions, each once
    /// </summary>
    [Test]
    public async Task TheIdsOfATableAreReadOnceForAllItsConditions()
    {
        var rule = Rule(C(RuleFields.BillingCountry, RuleOperators.In, 1, 2), C(RuleFields.ShippingCountry, RuleOperators.Equal, 2),
            new RuleGroup { Children = [C(RuleFields.BoughtProducts, RuleOperators.AnyOf, 7), C(RuleFields.BillingCountry, RuleOperators.NotIn, 3)] },
            C(RuleFields.OrderCount, RuleOperators.GreaterThan, 1));

        Assert.That(await _validator.ValidateAsync(rule, 0), Is.Empty);

        _lookups.Verify(l => l.GetExistingIdsAsync(RuleValueSource.Countries, It.Is<IList<int>>(ids => ids.Order().SequenceEqual(new[] { 1, 2, 3 }))), Times.Once);
        _lookups.Verify(l => l.GetExistingIdsAsync(RuleValueSource.Products, It.Is<IList<int>>(ids => ids.SequenceEqual(new[] { 7 }))), Times.Once);
        _lookups.Verify(l => l.GetExistingIdsAsync(It.IsAny<RuleValueSource>(), It.IsAny<IList<int>>()), Times.Exactly(2));
    }

    [Test]
    public async Task AThousandIdsOfWhichOneIsMissingNameThatOne()
    {
        var ids = Enumerable.Range(1, RuleValueLimits.MaxValues).Select(id => id == 600 ? 654321 : id).Cast<object>().ToArray();

        var error = await SingleErrorAsync(Rule(C(RuleFields.BoughtProducts, RuleOperators.AnyOf, ids)));

        Assert.That((error.ResourceKey, error.Args.Single()), Is.EqualTo((RuleErrorKeys.ValueNotFound, (object)654321)));
    }

    /// <summary>
    /// A saved rule keeps running when a row it names is deleted afterwards (a role deleted: its condition matches no one)
    /// </summary>
    [Test]
    public async Task ASavedRuleNamingAMissingRowStillRuns()
    {
        var rule = Rule(C(RuleFields.CustomerRoles, RuleOperators.AnyOf, 1, 999999), C(RuleFields.BoughtProducts, RuleOperators.AnyOf, 888888));

        Assert.That(await _validator.ValidateSavedAsync(rule, 1), Is.Empty);
        Assert.That((await _validator.ValidateAsync(rule, 1)).Select(e => e.ResourceKey), Is.EqualTo(new[] { RuleErrorKeys.ValueNotFound, RuleErrorKeys.ValueNotFound }));
    }

    [Test]
    public async Task ANullRuleIsAnErrorNotAnException()
    {
        var errors = await _validator.ValidateAsync(null, 0);
        Assert.That(errors.Single().ResourceKey, Is.EqualTo(RuleErrorKeys.JsonMalformed));
    }

    [Test]
    public void EveryErrorKeyAndFieldHasAnEnglishText()
    {
        var keys = typeof(RuleErrorKeys).GetProperties().Select(p => (string)p.GetValue(null));
        Assert.That(LocaleResources.EnglishResources.Keys, Is.SupersetOf(keys));
        foreach (var field in new RuleFieldCatalog().GetFields())
            Assert.That(LocaleResources.EnglishResources.Keys, Does.Contain(field.ResourceKey).And.Contain(field.ResourceKey + ".Hint"));
        foreach (var group in RfmGroups.All)
            Assert.That(LocaleResources.EnglishResources.Keys, Does.Contain($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.Rules.RfmGroup.{group}"));
    }

    /// <summary>
    /// A lone UTF-16 surrogate ("\ud800") is well-formed JSON but no text: it must be reported like the other bad texts,
    /// not throw out of the validator (the admin's save and preview would fail with a server error)
    /// </summary>
    [TestCase(RuleFields.Company, RuleOperators.Equal)]
    [TestCase(RuleFields.ShippingCity, RuleOperators.NotIn)]
    [TestCase(RuleFields.RfmGroup, RuleOperators.In)]
    public async Task ALoneSurrogateInATextValueIsAnErrorNotAnException(string field, string op)
    {
        var json = "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"" + field
            + "\",\"operator\":\"" + op + "\",\"values\":[\"\\ud800\"]}]}}";
        var parsed = new SegmentRuleSerializer().Parse(json);
        Assume.That(parsed.Success, Is.True, json);

        IReadOnlyList<RuleValidationError> errors = null;
        Assert.DoesNotThrowAsync(async () => errors = await _validator.ValidateAsync(parsed.Rule, 0));
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Path, Is.EqualTo("0"));
    }
}
