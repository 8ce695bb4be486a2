using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Moq;
using Nop.Core.Domain.Common;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Helpers;
using Nop.Services.Localization;
using Nop.Services.Stores;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// What a store admin meets on the plugin's admin pages, checked against nopCommerce 4.90's own pages
/// </summary>
public class AdminPagesConventionTests
{
    private static SegmentModelFactory NewFactory()
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => key);

        return new SegmentModelFactory(new AdminAreaSettings { DefaultGridPageSize = 25, GridPageSizes = "25" },
            Mock.Of<IDatabaseConfigurationAdvisor>(), Mock.Of<IDateTimeHelper>(), localization.Object, LocaleResourceFormatters.Over(localization.Object),
            Mock.Of<Nop.Web.Framework.Factories.ILocalizedModelFactory>(), Mock.Of<Nop.Plugin.Misc.CustomerSegments.Services.Discounts.IPluginLimitsAdvisor>(), new RuleFieldCatalog(),
            Mock.Of<ISegmentDiscountUsageService>(), Mock.Of<ISegmentMemberSearchService>(), Mock.Of<ISegmentMembershipService>(),
            Mock.Of<ISegmentPendingCustomerService>(), new SegmentRuleSerializer(), Mock.Of<ISegmentRuleValidator>(), Mock.Of<ISegmentService>(), new SegmentTemplateCatalog(), Mock.Of<ISegmentValueLookupService>(), Mock.Of<IStoreService>());
    }

    /// <summary>
    /// "Birth month" compares the Gregorian month of the date of birth (DateOfBirth.Month); the picker must name
    /// those months in the admin's language. nopCommerce sets CurrentUICulture to the admin's language: for Persian
    /// (fa-IR) and Arabic (ar-SA) .NET's default calendar is the Persian / Um Al Qura one, whose month names are not
    /// the Gregorian months the rule compares
    /// </summary>
    [TestCase("fa-IR")]
    [TestCase("ar-SA")]
    public async Task BirthMonthPickerNamesTheGregorianMonthsTheRuleCompares(string cultureName)
    {
        var culture = CultureInfo.GetCultureInfo(cultureName);
        Assume.That(culture.Calendar, Is.Not.InstanceOf<GregorianCalendar>(), "ICU gives this culture its own calendar");
        var gregorian = (CultureInfo)culture.Clone();
        gregorian.DateTimeFormat.Calendar = gregorian.OptionalCalendars.OfType<GregorianCalendar>().First();

        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        string json;
        try
        {
            json = await NewFactory().PrepareRuleCatalogJsonAsync();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }

        var months = JsonDocument.Parse(json).RootElement.GetProperty("options").GetProperty("months").EnumerateArray()
            .ToDictionary(month => month.GetProperty("id").GetInt32(), month => month.GetProperty("name").GetString());

        //id 1 is matched against DateOfBirth.Month == 1: January
        Assert.That(months[1], Is.EqualTo(gregorian.DateTimeFormat.GetMonthName(1)),
            $"month 1 is shown as '{months[1]}', month 1 of the {culture.Calendar.GetType().Name}, not January");
    }

    /// <summary>
    /// nopCommerce's search panels (Discount/List.cshtml and every other list) carry data-hideAttribute on the
    /// search row: admin.common.js's ToggleSearchBlockAndSavePreferences posts it as the preference name when the
    /// admin folds the panel, and PreferencesController.SavePreference throws on an empty name
    /// (ArgumentException.ThrowIfNullOrEmpty(name)): the ajax error handler then alerts "Failed to save preferences."
    /// </summary>
    [Test]
    public void SegmentListSearchRowNamesThePreferenceItSaves()
    {
        var view = File.ReadAllText(Path.Combine(PluginDirectory.Root, "Views", "Admin", "List.cshtml"));
        var searchRow = Regex.Match(view, "<div class=\"row search-row[^\"]*\"[^>]*>");

        Assert.That(searchRow.Success, "the list has nopCommerce's search panel");
        Assert.That(searchRow.Value, Does.Contain("data-hideAttribute="),
            "folding the search panel posts saveUserPreferences(url, undefined, ...), which nopCommerce refuses: " + searchRow.Value);
    }

    /// <summary>
    /// nopCommerce's T() is a LocalizedString, an HtmlString: Razor writes it unencoded. Inside a JavaScript string
    /// literal a translation with an apostrophe (French "Échec de l'enregistrement ...") ends the literal, the
    /// script block does not parse and its click handler (the requirement's Save) is never bound. The analytics
    /// card already passes its texts through JavaScriptEncoder; every T() in a script must
    /// </summary>
    [Test]
    public void ResourcesInsideScriptsAreJavaScriptEncoded()
    {
        var unencoded = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(PluginDirectory.Root, "Views"), "*.cshtml", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            foreach (System.Text.RegularExpressions.Match script in Regex.Matches(text, @"<script(?![^>]*application/json)[^>]*>(.*?)</script>", RegexOptions.Singleline))
            {
                foreach (System.Text.RegularExpressions.Match use in Regex.Matches(script.Groups[1].Value, @"@T\(""[^""]+""\)"))
                {
                    var before = script.Groups[1].Value[..use.Index];
                    if (!before.EndsWith("JavaScriptEncoder.Default.Encode(", StringComparison.Ordinal))
                        unencoded.Add($"{Path.GetRelativePath(PluginDirectory.Root, file)}: {use.Value}");
                }
            }
        }

        Assert.That(unencoded, Is.Empty, "a translation with ' or a line break breaks the script");
    }
}
