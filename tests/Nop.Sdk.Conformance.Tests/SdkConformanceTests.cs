using System.Text;
using Microsoft.CodeAnalysis;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>The compiled SDK against the real nopCommerce 4.90.3 API listing.</summary>
[TestFixture]
public class SdkConformanceTests
{
    private ApiListing _listing;
    private ConformanceChecker _checker;
    private SdkAssemblies _sdk;
    private IReadOnlyList<ApiLine> _printed;

    [OneTimeSetUp]
    public void LoadSdkAndListing()
    {
        _listing = ApiListing.Load();
        _checker = new ConformanceChecker(_listing);
        _sdk = SdkAssemblies.Instance;
        _printed = _sdk.PrintSdk();
    }

    [Test]
    public void EverySdkSymbolExistsInNopCommerceWithTheSameSignature()
    {
        var unlisted = _checker.Unlisted(_printed);

        TestContext.Out.WriteLine($"{_printed.Count} SDK lines checked against {ApiListing.Locate()}: " +
            string.Join(", ", _printed.GroupBy(line => line.Assembly).Select(g => $"{g.Key} {g.Count()}")));
        Assert.That(unlisted, Is.Empty, () => _checker.Explain(unlisted));
    }

    [Test]
    public void TheSdkDeclaresSymbolsOfAllFourAssemblies()
    {
        Assert.That(_printed.Select(line => line.Assembly).Distinct(), Is.SubsetOf(SdkAssemblies.SdkNames));
        Assert.That(_printed.Where(line => line.Assembly == "Nop.Core"), Is.Not.Empty);
        Assert.That(_printed.Where(line => line.Assembly == "Nop.Services"), Is.Not.Empty);
    }

    [Test]
    public void InterfacesThePluginImplementsAndAbstractClassesItDerivesFromAreDeclaredWithAllTheirMembers()
    {
        var types = ConformanceChecker.SdkTypesToDeclareFully(_sdk.Plugin, SdkAssemblies.SdkNames);
        var missing = _checker.MissingFromSdk(types, _printed);

        TestContext.Out.WriteLine("SDK types the plugin implements or derives from: " +
            string.Join(", ", types.Select(t => t.ToDisplayString(ApiFormats.TypeFormat))));
        Assert.That(types, Is.Not.Empty, "the plugin derives from BasePlugin at least");
        Assert.That(missing, Is.Empty, () => Report(missing, types));
    }

    private static string Report(IReadOnlyCollection<ApiLine> missing, IEnumerable<INamedTypeSymbol> types)
    {
        var report = new StringBuilder();
        report.AppendLine($"{missing.Count} listing line(s) are missing from the SDK. The plugin implements or derives from these types, " +
            "so build/sdk must declare every member they have in nopCommerce 4.90.3 (with exactly this signature):");
        foreach (var group in missing.GroupBy(ApiLineParser.TypeKey))
        {
            report.AppendLine();
            report.AppendLine("  " + group.Key + ":");
            foreach (var line in group)
                report.AppendLine("    " + line);
        }

        return report.ToString();
    }
}
