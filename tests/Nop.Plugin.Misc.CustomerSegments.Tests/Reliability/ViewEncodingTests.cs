using System.Text.Json;
using System.Text.RegularExpressions;
using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Helpers;
using Nop.Services.Localization;
using Nop.Services.Stores;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// User text reaches the pages only through Razor's HTML encoding: Html.Raw is allowed only on a reviewed list
/// of constant markup and JSON/JavaScript-encoded values, and that JSON can't close the script block it sits in
/// </summary>
public class ViewEncodingTests
{
    private const string Hostile = "</script><script>alert('x')</script><!--";

    /// <summary>
    /// Every argument of Html.Raw in the views, reviewed: constant markup, JSON written by System.Text.Json with
    /// its default (HTML-safe) encoder, or text passed through JavaScriptEncoder
    /// </summary>
    private static readonly HashSet<string> _reviewedRawArguments =
    [
        "\"style=\\\"display:none\\\"\"",
        "Model.RuleBuilder.RuleJson",
        "Model.RuleBuilder.CatalogJson",
        "Model.RuleBuilder.ErrorsJson",
        "System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(T(\"Plugins.Misc.CustomerSegments.Analytics.Failed\").Text)",
        "System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(T(\"Plugins.Misc.CustomerSegments.Analytics.Histogram.Unknown\").Text)",
        "System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(T(\"Plugins.Misc.CustomerSegments.Analytics.Overlap.None\").Text)",
        "System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(T(\"Plugins.Misc.CustomerSegments.Fields.MemberCount\").Text)",
        "System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(T(\"Plugins.Misc.CustomerSegments.List.InvalidRule\").Text)",
        "System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(T(\"Plugins.Misc.CustomerSegments.List.InvalidRule.Title\").Text)",
        "System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(T(\"Admin.Promotions.Discounts.Requirements.FailedToSave\").Text)"
    ];

    private static string ViewsFolder() => Path.Combine(PluginDirectory.Root, "Views");

    private static IEnumerable<(string File, string Argument)> RawArguments(string text, string file)
    {
        foreach (System.Text.RegularExpressions.Match match in Regex.Matches(text, @"Html\s*\.\s*Raw\s*\("))
        {
            var start = match.Index + match.Length;
            var depth = 1;
            var at = start;
            var inString = false;
            for (; at < text.Length && depth > 0; at++)
            {
                var c = text[at];
                if (c == '\\' && inString)
                {
                    at++;
                    continue;
                }

                if (c == '"')
                    inString = !inString;
                else if (!inString && c == '(')
                    depth++;
                else if (!inString && c == ')')
                    depth--;
            }

            yield return (file, text[start..(at - 1)].Trim());
        }
    }

    [Test]
    public void HtmlRawIsUsedOnlyOnReviewedValues()
    {
        var views = Directory.GetFiles(ViewsFolder(), "*.cshtml", SearchOption.AllDirectories);
        Assert.That(views, Is.Not.Empty);

        var uses = views.SelectMany(file => RawArguments(File.ReadAllText(file), Path.GetFileName(file))).ToList();
        var unreviewed = uses.Where(use => !_reviewedRawArguments.Contains(use.Argument)).Select(use => $"{use.File}: Html.Raw({use.Argument})");

        Assert.That(unreviewed, Is.Empty, "user text must go through Razor's encoding; review new Html.Raw uses here");
        Assert.That(uses, Is.Not.Empty, "the scanner finds the known uses");
    }

    [Test]
    public void NoViewWritesUnencodedTextOtherwise()
    {
        foreach (var file in Directory.GetFiles(ViewsFolder(), "*.cshtml", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.That(text, Does.Not.Contain("HtmlString(").And.Not.Contain("WriteLiteral("), file);
        }
    }

    /// <summary>
    /// The operands of '+' at the top level of a JavaScript expression (outside parentheses and string literals)
    /// </summary>
    private static IEnumerable<string> Concatenated(string expression)
    {
        var depth = 0;
        var quote = '\0';
        var start = 0;
        for (var at = 0; at < expression.Length; at++)
        {
            var c = expression[at];
            if (quote != '\0')
            {
                if (c == '\\')
                    at++;
                else if (c == quote)
                    quote = '\0';
            }
            else if (c is '\'' or '"')
                quote = c;
            else if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            else if (c == '+' && depth == 0)
            {
                yield return expression[start..at].Trim();
                start = at + 1;
            }
        }

        yield return expression[start..].Trim();
    }

    /// <summary>
    /// The segment list's name column is drawn by a render function of its own (the name and, for a rule that no longer
    /// validates, a warning whose title is the validator's error, which quotes what the rule holds): the markup it
    /// returns joins only literals and values passed through DataTables' text renderer, as nopCommerce's RenderLink does
    /// </summary>
    [Test]
    public void TheSegmentListWritesTheNameAndTheRuleErrorEncoded()
    {
        var view = File.ReadAllText(Path.Combine(ViewsFolder(), "Admin", "List.cshtml"));
        var function = Regex.Match(view, @"function renderSegmentName\(data, type, row, meta\) \{(.*?)\n {28}\}", RegexOptions.Singleline);
        Assert.That(function.Success, "the name column's render function");
        Assert.That(view, Does.Contain("Render = new RenderCustom(\"renderSegmentName\")"));

        var body = function.Groups[1].Value;
        Assert.That(body, Does.Contain("var encode = $.fn.dataTable.render.text().display;"));
        var returned = Regex.Matches(body, @"return (.*?);\s*$", RegexOptions.Singleline | RegexOptions.Multiline).Select(match => match.Groups[1].Value).ToList();
        Assert.That(returned, Has.Count.EqualTo(2));
        var unencoded = returned.SelectMany(Concatenated)
            .Where(operand => !operand.StartsWith("encode(", StringComparison.Ordinal) && !Regex.IsMatch(operand, @"^'[^'\\]*'$"));
        Assert.That(unencoded, Is.Empty, "every value in the returned markup goes through encode()");
        Assert.That(body, Does.Contain("row.InvalidRuleMessage"));
    }

    [Test]
    public void NoViewFormatsALocaleResourceThroughT()
    {
        //nopCommerce's T(key, args) string.Formats the admin's text (throwing on a placeholder without argument) and
        //writes the result as markup, the arguments unencoded: a view formats through ILocaleResourceFormatter instead
        var formatted = Directory.GetFiles(ViewsFolder(), "*.cshtml", SearchOption.AllDirectories)
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), @"\bT\(\s*""[^""]*""\s*,").Select(match => $"{Path.GetFileName(file)}: {match.Value}"));

        Assert.That(formatted, Is.Empty);
    }

    [Test]
    public async Task JsonForTheScriptBlockCannotCloseIt()
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync(Hostile);
        var catalog = new Mock<IRuleFieldCatalog>();
        catalog.Setup(c => c.GetFields()).Returns(new RuleFieldCatalog().GetFields());
        var discountUsage = new Mock<ISegmentDiscountUsageService>();
        discountUsage.Setup(d => d.GetUsagesAsync(It.IsAny<int>())).ReturnsAsync([]);
        var stores = new Mock<IStoreService>();
        stores.Setup(s => s.GetAllStoresAsync()).ReturnsAsync([new Store { Id = 1, Name = Hostile }]);
        var segments = new Mock<ISegmentService>();
        segments.Setup(s => s.GetReferencingSegmentsAsync(It.IsAny<int>())).ReturnsAsync([]);
        var factory = new SegmentModelFactory(new AdminAreaSettings { DefaultGridPageSize = 25, GridPageSizes = "25" },
            Mock.Of<IDatabaseConfigurationAdvisor>(), Mock.Of<IDateTimeHelper>(), localization.Object, LocaleResourceFormatters.Over(localization.Object), Mock.Of<Nop.Web.Framework.Factories.ILocalizedModelFactory>(), Mock.Of<Nop.Plugin.Misc.CustomerSegments.Services.Discounts.IPluginLimitsAdvisor>(), catalog.Object, discountUsage.Object,
            Mock.Of<ISegmentMemberSearchService>(), Mock.Of<ISegmentMembershipService>(), Mock.Of<ISegmentPendingCustomerService>(), new SegmentRuleSerializer(), Mock.Of<ISegmentRuleValidator>(), segments.Object, new SegmentTemplateCatalog(), Mock.Of<ISegmentValueLookupService>(), stores.Object);

        var rule = "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"customer.company\",\"operator\":\"eq\",\"values\":[" +
                   JsonSerializer.Serialize(Hostile) + "],\"key\":\"<!--\"}]}}";
        var model = await factory.PrepareSegmentModelAsync(new SegmentModel { Name = Hostile, SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = rule },
            new Segment { Id = 3, Name = Hostile, Description = Hostile, SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = rule }, true,
            [new RuleValidationError("0", "k", Hostile)]);

        foreach (var json in new[] { model.RuleBuilder.RuleJson, model.RuleBuilder.CatalogJson, model.RuleBuilder.ErrorsJson })
        {
            Assert.That(json, Does.Not.Contain("<").And.Not.Contain(">"), "HTML-significant characters are \\u-escaped");
            Assert.DoesNotThrow(() => JsonDocument.Parse(json));
        }

        //escaped, not lost
        var value = JsonDocument.Parse(model.RuleBuilder.RuleJson).RootElement.GetProperty("root").GetProperty("children")[0].GetProperty("values")[0].GetString();
        Assert.That(value, Is.EqualTo(Hostile));
        Assert.That(JsonDocument.Parse(model.RuleBuilder.ErrorsJson).RootElement[0].GetProperty("message").GetString(), Is.EqualTo(Hostile));
        Assert.That(model.RuleBuilder.CatalogJson, Does.Contain("\\u003C/script\\u003E"));
    }
}
