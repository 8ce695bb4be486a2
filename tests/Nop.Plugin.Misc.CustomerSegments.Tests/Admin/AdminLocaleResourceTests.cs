using System.Text.RegularExpressions;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// Every text of the admin pages is a locale resource the plugin installs
/// </summary>
public class AdminLocaleResourceTests
{
    private const string Prefix = "Plugins.Misc.CustomerSegments.";

    private static IEnumerable<string> AdminSources()
    {
        var root = PluginDirectory.Root;
        return Directory.EnumerateFiles(Path.Combine(root, "Views"), "*.cshtml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "Controllers"), "*.cs"))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "Models"), "*.cs"))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "Factories"), "*.cs"));
    }

    [Test]
    public void EveryKeyNamedInTheAdminPagesIsInstalled()
    {
        var named = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in AdminSources())
        {
            var text = File.ReadAllText(file);
            foreach (Match match in Regex.Matches(text, "\"" + Regex.Escape(Prefix) + "([A-Za-z0-9.]+)\""))
                named.Add(Prefix + match.Groups[1].Value);

            //resources named relative to the prefix: Resource("X") / GetResourceAsync("X") in the controller and factory
            foreach (Match match in Regex.Matches(text, "(?:Resource|GetResourceAsync)\\(\"([A-Z][A-Za-z0-9.]+)\"\\)"))
            {
                if (!match.Groups[1].Value.StartsWith("Admin.") && !match.Groups[1].Value.StartsWith("Enums."))
                    named.Add(Prefix + match.Groups[1].Value);
            }
        }

        Assert.That(named, Has.Count.GreaterThan(50));
        Assert.That(named.Where(key => !LocaleResources.EnglishResources.ContainsKey(key)), Is.Empty);
    }

    [Test]
    public void LabelsHaveHints()
    {
        //nop-label shows the resource's ".Hint" as a tooltip
        var labels = LocaleResources.EnglishResources.Keys.Where(key => key.StartsWith(Prefix + "Fields.") || key.StartsWith(Prefix + "Configuration."))
            .Where(key => !key.EndsWith(".Hint") && LocaleResources.EnglishResources.ContainsKey(key + ".Hint") is false)
            .Where(key => key.Split('.').Length == 5)
            .Where(key => key is not (Prefix + "Fields.Rule") and not (Prefix + "Fields.Never") and not (Prefix + "Configuration.Title"));

        Assert.That(labels, Is.Empty);
    }

    /// <summary>
    /// The resources a background rebuild stores as its error, read from the runner's and run service's source
    /// </summary>
    private static IEnumerable<string> RebuildRunErrorResources()
    {
        var names = new[] { "SegmentRebuildRunner.cs", "SegmentRebuildRunService.cs" }
            .SelectMany(file => Regex.Matches(File.ReadAllText(Path.Combine(PluginDirectory.Root, "Services", file)), "\"(Segments\\.Rebuild\\.[A-Za-z]+)\"")
                .Select(match => match.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.That(names, Has.Count.GreaterThanOrEqualTo(5));

        return names;
    }

    [Test]
    public void ResourcesNamedAtRunTimeAreInstalled()
    {
        var keys = Enum.GetNames<SegmentType>().Select(name => $"{Prefix}SegmentType.{name}")
            .Concat(Enum.GetNames<RuleFieldCategory>().Select(name => $"{Prefix}Rules.Category.{name}"))
            .Concat(typeof(RuleOperators).GetFields().Select(field => $"{Prefix}Rules.Operator.{field.GetRawConstantValue()}"))
            .Concat(LocaleResources.RuleBuilderTextKeys.Select(key => $"{Prefix}RuleBuilder.{key}"))
            .Concat(RebuildRunErrorResources().Select(name => Prefix + name))
            .Concat(CustomerSegmentsDefaults.ShopperWidgetZones.Select(zone => $"{Prefix}Configuration.WidgetZones.{zone}"));

        Assert.That(keys.Where(key => !LocaleResources.EnglishResources.ContainsKey(key)), Is.Empty);
    }
}
