using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Moq;
using Nop.Core.Domain.Common;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Helpers;
using Nop.Services.Localization;
using Nop.Services.Stores;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// The browser tests of the rule builder (tests/js) feed it tests/js/fixtures/catalog.json: it must be exactly what
/// the model factory renders into the page, so the script is tested against the server's real JSON.
/// Set UPDATE_JS_FIXTURES=1 to rewrite the fixture from the factory instead of comparing.
/// </summary>
public class RuleBuilderCatalogFixtureTests
{
    private const string FieldResourcePrefix = "Plugins.Misc.CustomerSegments.Tests.Fields.";

    private static readonly Dictionary<string, string> NopResources = new()
    {
        ["Admin.Customers.Customers.Fields.Gender.Male"] = "Male",
        ["Admin.Customers.Customers.Fields.Gender.Female"] = "Female",
        ["Admin.Customers.Customers.Fields.Gender.Neutral"] = "Neutral"
    };

    /// <summary>
    /// The shop's customer attributes, as the browser tests pick them
    /// </summary>
    private static readonly ValueLookupItem[] CustomerAttributes = [new(7, "Preferred contact"), new(12, "Favourite colour")];

    private static string FixturePath() => Path.Combine(PluginDirectory.Root, "tests", "js", "fixtures", "catalog.json");

    /// <summary>
    /// The plugin's field catalog when it can be made without services; otherwise the fields the fixture lists,
    /// so that at least every name, type, operator, text and list is the factory's own
    /// </summary>
    private static (IReadOnlyList<RuleFieldDescriptor> Fields, Dictionary<string, string> Texts) Catalog(JsonNode fixture)
    {
        var realCatalog = typeof(IRuleFieldCatalog).Assembly.GetTypes()
            .FirstOrDefault(type => typeof(IRuleFieldCatalog).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) != null);
        if (realCatalog != null)
            return (((IRuleFieldCatalog)Activator.CreateInstance(realCatalog)!).GetFields(), []);

        var fields = new List<RuleFieldDescriptor>();
        var texts = new Dictionary<string, string>();
        foreach (var category in fixture["categories"]!.AsArray())
        {
            foreach (var field in category!["fields"]!.AsArray())
            {
                var name = (string)field!["name"]!;
                fields.Add(new RuleFieldDescriptor
                {
                    Name = name,
                    Category = Enum.Parse<RuleFieldCategory>((string)category["key"]!, true),
                    DataType = Enum.Parse<RuleDataType>((string)field["dataType"]!, true),
                    Operators = field["operators"]!.AsArray().Select(op => (string)op!).ToList(),
                    ValueSource = Enum.Parse<RuleValueSource>((string)field["valueSource"]!, true),
                    HasPeriod = (bool)field["hasPeriod"]!,
                    HasKey = (bool)field["hasKey"]!,
                    KeySource = Enum.Parse<RuleValueSource>((string)field["keySource"]!, true),
                    ResourceKey = FieldResourcePrefix + name
                });
                texts[FieldResourcePrefix + name] = (string)field["label"]!;
                texts[FieldResourcePrefix + name + ".Hint"] = (string)field["hint"]!;
            }
        }

        return (fields, texts);
    }

    private static async Task<string> FactoryCatalogJsonAsync(IReadOnlyList<RuleFieldDescriptor> fields, Dictionary<string, string> fieldTexts)
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) =>
            LocaleResources.EnglishResources.TryGetValue(key, out var text) || fieldTexts.TryGetValue(key, out text) || NopResources.TryGetValue(key, out text)
                ? text
                : throw new AssertionException($"no English text for {key}"));
        var catalog = new Mock<IRuleFieldCatalog>();
        catalog.Setup(c => c.GetFields()).Returns(fields);
        var lookups = new Mock<ISegmentValueLookupService>();
        lookups.Setup(l => l.SearchAsync(RuleValueSource.CustomerAttributes, It.IsAny<string>(), 0, 0, It.IsAny<int>()))
            .ReturnsAsync(new ValueLookupPage(CustomerAttributes, false));

        var factory = new SegmentModelFactory(new AdminAreaSettings(), Mock.Of<IDatabaseConfigurationAdvisor>(), Mock.Of<IDateTimeHelper>(), localization.Object, LocaleResourceFormatters.Over(localization.Object), Mock.Of<Nop.Web.Framework.Factories.ILocalizedModelFactory>(), Mock.Of<Nop.Plugin.Misc.CustomerSegments.Services.Discounts.IPluginLimitsAdvisor>(), catalog.Object,
            Mock.Of<ISegmentDiscountUsageService>(), Mock.Of<ISegmentMemberSearchService>(), Mock.Of<ISegmentMembershipService>(),
            Mock.Of<ISegmentPendingCustomerService>(), new SegmentRuleSerializer(), Mock.Of<ISegmentRuleValidator>(), Mock.Of<ISegmentService>(), new SegmentTemplateCatalog(), lookups.Object, Mock.Of<IStoreService>());

        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-US");
        try
        {
            return await factory.PrepareRuleCatalogJsonAsync();
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    [Test]
    public async Task JsFixtureIsTheCatalogJsonTheFactoryRenders()
    {
        var path = FixturePath();
        var fixture = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var (fields, texts) = Catalog(fixture);
        var rendered = JsonNode.Parse(await FactoryCatalogJsonAsync(fields, texts))!;

        if (Environment.GetEnvironmentVariable("UPDATE_JS_FIXTURES") == "1")
        {
            await File.WriteAllTextAsync(path, rendered.ToJsonString(new JsonSerializerOptions
            {
                WriteIndented = true,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping
            }) + "\n");
            Assert.Pass($"rewrote {path}");
        }

        Assert.That(JsonNode.DeepEquals(fixture, rendered), Is.True,
            $"tests/js/fixtures/catalog.json differs from the factory's catalog JSON; run the test with UPDATE_JS_FIXTURES=1 to rewrite it, then fix the browser tests.\nFactory: {rendered.ToJsonString()}");
    }

    [Test]
    public async Task JsFixtureCoversEveryEditorOfTheRuleBuilder()
    {
        var fixture = JsonNode.Parse(await File.ReadAllTextAsync(FixturePath()))!;
        var fields = fixture["categories"]!.AsArray().SelectMany(category => category!["fields"]!.AsArray()).ToList();

        foreach (var dataType in Enum.GetNames<RuleDataType>())
            Assert.That(fields.Any(field => string.Equals((string)field!["dataType"], dataType, StringComparison.OrdinalIgnoreCase)), $"a {dataType} field");
        Assert.That(fields.Any(field => (bool)field!["hasPeriod"]!), "a field with a period");
        Assert.That(fields.Any(field => (bool)field!["hasKey"]! && (string)field!["keySource"] == "none"), "a field with a typed-in key");
        Assert.That(fields.Any(field => (string)field!["keySource"] == "customerAttributes"), "a field keyed by a customer attribute");
        Assert.That(fixture["options"]!["customerAttributes"]!.AsArray(), Is.Not.Empty, "customer attributes to choose from");
        Assert.That(fixture["texts"]!.AsObject().Select(text => text.Key), Is.EquivalentTo(LocaleResources.RuleBuilderTextKeys));
    }

    [Test]
    public async Task JsTestPageHasTheMarkupOfTheRuleView()
    {
        static SortedSet<string> Hooks(string markup) =>
            new(Regex.Matches(markup, @"\b(?:id=""(?<id>[\w-]+)""|(?<data>data-[\w-]+)=)").Select(match =>
                match.Groups["id"].Success ? "id=" + match.Groups["id"].Value : match.Groups["data"].Value));

        var view = await File.ReadAllTextAsync(Path.Combine(PluginDirectory.Root, "Views", "Admin", "_CreateOrUpdate.Rule.cshtml"));
        var page = await File.ReadAllTextAsync(Path.Combine(PluginDirectory.Root, "tests", "js", "fixtures", "rule-builder.html"));

        //the view's ids and data attributes the script reads (the rule input's id comes from asp-for="RuleJson")
        var viewHooks = Hooks(view);
        viewHooks.Remove("id=segment-rule-errors");
        viewHooks.Remove("data-rule-path");
        Assert.That(viewHooks, Is.SubsetOf(Hooks(page)));
        Assert.That(view, Does.Contain("<input asp-for=\"RuleJson\" type=\"hidden\" />"));
        Assert.That(page, Does.Contain("<input type=\"hidden\" id=\"RuleJson\" name=\"RuleJson\""));
    }
}
