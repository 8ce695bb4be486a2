using System.Text;
using Microsoft.CodeAnalysis;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// Compares what the SDK declares with the real nopCommerce API listing.
/// </summary>
public sealed class ConformanceChecker
{
    private const int MaxSuggestions = 8;

    public ConformanceChecker(ApiListing listing)
    {
        Listing = listing;
    }

    public ApiListing Listing { get; }

    /// <summary>Printed lines that the listing does not have (no such symbol, or a different signature).</summary>
    public IReadOnlyList<ApiLine> Unlisted(IEnumerable<ApiLine> printed) =>
        printed.Where(line => !Listing.Contains(line)).ToList();

    /// <summary>
    /// The SDK types a plugin type depends on wholesale: abstract base classes and implemented interfaces
    /// declared in one of the SDK assemblies (generic ones by their original definition).
    /// </summary>
    public static IReadOnlyList<INamedTypeSymbol> SdkTypesToDeclareFully(IAssemblySymbol plugin, IReadOnlyCollection<string> sdkNames)
    {
        bool FromSdk(INamedTypeSymbol type) => type.ContainingAssembly is { } assembly && sdkNames.Contains(assembly.Identity.Name);

        var result = new Dictionary<string, INamedTypeSymbol>(StringComparer.Ordinal);
        void Add(INamedTypeSymbol type) =>
            result.TryAdd(type.OriginalDefinition.ToDisplayString(ApiFormats.TypeFormat), type.OriginalDefinition);

        foreach (var type in AllTypes(plugin.GlobalNamespace))
        {
            for (var baseType = type.BaseType; baseType != null; baseType = baseType.BaseType)
                if (baseType.IsAbstract && FromSdk(baseType))
                    Add(baseType);

            foreach (var implemented in type.AllInterfaces.Where(FromSdk))
            {
                Add(implemented);
                foreach (var inherited in implemented.OriginalDefinition.AllInterfaces.Where(FromSdk))
                    Add(inherited);
            }
        }

        return result.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value).ToList();
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns) =>
        ns.GetTypeMembers().SelectMany(WithNested).Concat(ns.GetNamespaceMembers().SelectMany(AllTypes));

    private static IEnumerable<INamedTypeSymbol> WithNested(INamedTypeSymbol type) =>
        new[] { type }.Concat(type.GetTypeMembers().SelectMany(WithNested));

    /// <summary>Listing lines of <paramref name="types"/> (type line and every member) the SDK does not print.</summary>
    public IReadOnlyList<ApiLine> MissingFromSdk(IEnumerable<INamedTypeSymbol> types, IEnumerable<ApiLine> printed)
    {
        var sdk = printed.Select(line => line.ToString()).ToHashSet(StringComparer.Ordinal);
        return types
            .SelectMany(type => Listing.LinesOfType(type.ToDisplayString(ApiFormats.TypeFormat)))
            .Where(line => !sdk.Contains(line.ToString()))
            .Distinct()
            .OrderBy(line => line.ToString(), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A failure report: each offending line, followed by the listing lines closest to it.</summary>
    public string Explain(IReadOnlyCollection<ApiLine> unlisted)
    {
        var report = new StringBuilder();
        report.AppendLine($"{unlisted.Count} SDK line(s) are not in {ApiListing.FileName}: each symbol under build/sdk must exist there with exactly this signature.");
        foreach (var line in unlisted)
        {
            report.AppendLine();
            report.AppendLine("  SDK:     " + line);
            var closest = Closest(line).Take(MaxSuggestions + 1).ToList();
            if (closest.Count == 0)
                report.AppendLine("  listing: nothing of that name in nopCommerce 4.90.3 (remove it, or use the real type/member)");
            foreach (var candidate in closest.Take(MaxSuggestions))
                report.AppendLine("  listing: " + candidate);
            if (closest.Count > MaxSuggestions)
                report.AppendLine("  listing: ...");
        }

        return report.ToString();
    }

    /// <summary>Listing lines for the same type (type lines) or the same member name on the same type (member lines).</summary>
    public IEnumerable<ApiLine> Closest(ApiLine line)
    {
        if (line.IsType)
        {
            var key = ApiLineParser.TypeKey(line);
            var same = Listing.TypeLines(key).ToList();
            return same.Count > 0 ? same : Listing.TypesWithSimpleName(ApiListing.SimpleName(key));
        }

        var (type, name) = ApiLineParser.Member(line.Text);
        var members = Listing.MembersNamed(type, name).ToList();
        if (members.Count > 0)
            return members;

        // no member of that name: show the type's line so a wrong namespace or a missing type is obvious
        var typeLines = Listing.TypeLines(type).ToList();
        return typeLines.Count > 0 ? typeLines : Listing.TypesWithSimpleName(ApiListing.SimpleName(type));
    }
}
