using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// What the SDK assemblies were compiled against: the net9.0 reference packs (Microsoft.NETCore.App and
/// Microsoft.AspNetCore.App, falling back to the running runtime's assemblies) and the packages next to the tests.
/// </summary>
public static class MetadataReferences
{
    private static readonly Lazy<IReadOnlyList<string>> FrameworkPaths = new(FindFramework);

    /// <summary>Framework assemblies, then every other assembly next to the tests, one file per assembly name.</summary>
    public static IReadOnlyList<PortableExecutableReference> ForAssembliesNextToTests(params string[] exclude)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in FrameworkPaths.Value)
            byName.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        foreach (var path in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!exclude.Contains(name, StringComparer.OrdinalIgnoreCase))
                byName.TryAdd(name, path);
        }

        return byName.Values.Select(path => MetadataReference.CreateFromFile(path)).ToList();
    }

    public static IReadOnlyList<string> Framework => FrameworkPaths.Value;

    private static IReadOnlyList<string> FindFramework()
    {
        var packs = new[] { "microsoft.netcore.app.ref", "microsoft.aspnetcore.app.ref" }
            .Select(pack => NewestNet9Pack(pack))
            .ToList();
        if (packs.All(dir => dir != null))
            return packs.SelectMany(dir => Directory.EnumerateFiles(dir!, "*.dll")).ToList();

        var trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
        var runtime = trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var aspNet = packs[1] != null
            ? Directory.EnumerateFiles(packs[1]!, "*.dll")
            : AspNetCoreRuntimeFolder() is { } folder ? Directory.EnumerateFiles(folder, "*.dll") : [];
        return (packs[0] != null ? Directory.EnumerateFiles(packs[0]!, "*.dll") : runtime).Concat(aspNet).ToList();
    }

    private static string NewestNet9Pack(string pack)
    {
        foreach (var root in PackageRoots())
        {
            var packDir = Path.Combine(root, pack);
            if (!Directory.Exists(packDir))
                continue;
            var newest = Directory.EnumerateDirectories(packDir, "9.*")
                .Select(dir => (dir, version: Version.TryParse(Path.GetFileName(dir).Split('-')[0], out var v) ? v : null))
                .Where(x => x.version != null && Directory.Exists(Path.Combine(x.dir, "ref", "net9.0")))
                .OrderByDescending(x => x.version)
                .FirstOrDefault();
            if (newest.dir != null)
                return Path.Combine(newest.dir, "ref", "net9.0");
        }

        return null;
    }

    private static IEnumerable<string> PackageRoots()
    {
        var fromBuild = typeof(MetadataReferences).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        var candidates = new[]
        {
            fromBuild,
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")
        };
        return candidates.Where(dir => !string.IsNullOrEmpty(dir) && Directory.Exists(dir)).Distinct()!;
    }

    private static string AspNetCoreRuntimeFolder()
    {
        // .../shared/Microsoft.NETCore.App/<version>/ -> .../shared/Microsoft.AspNetCore.App/<newest>/
        var core = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var shared = Path.GetDirectoryName(Path.GetDirectoryName(core))!;
        var aspNet = Path.Combine(shared, "Microsoft.AspNetCore.App");
        return Directory.Exists(aspNet) ? Directory.EnumerateDirectories(aspNet).OrderDescending().FirstOrDefault() : null;
    }
}
