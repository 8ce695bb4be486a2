using System.Text.RegularExpressions;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Views;

/// <summary>
/// nopCommerce's nop-card tag helper gives the card it renders the id of its asp-name: an element of the plugin's views
/// with that id too would make the page's scripts find the card instead (jQuery takes the first element of an id)
/// </summary>
public partial class ViewElementIdTests
{
    [GeneratedRegex("<nop-card[^>]*\\basp-name=\"(?<name>[^\"@]+)\"")]
    private static partial Regex CardName();

    [GeneratedRegex("\\bid=\"(?<id>[^\"@]+)\"")]
    private static partial Regex ElementId();

    private static IEnumerable<string> Views() =>
        Directory.EnumerateFiles(Path.Combine(PluginDirectory.Root, "Views"), "*.cshtml", SearchOption.AllDirectories);

    [Test]
    public void NoElementHasTheIdOfACard()
    {
        var cards = Views().SelectMany(view => CardName().Matches(File.ReadAllText(view)).Select(match => match.Groups["name"].Value)).ToHashSet();
        var clashes = Views()
            .SelectMany(view => ElementId().Matches(File.ReadAllText(view))
                .Select(match => match.Groups["id"].Value)
                .Where(cards.Contains)
                .Select(id => $"{Path.GetFileName(view)}: id=\"{id}\""))
            .ToList();

        Assert.That(cards, Does.Contain("segment-analytics"), "the cards of the segment page are found");
        Assert.That(clashes, Is.Empty);
    }
}
