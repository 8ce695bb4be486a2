using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>The SDK assemblies are named, versioned and connected as nopCommerce's own (../shared/nop-api/README.md).</summary>
[TestFixture]
public class AssemblyIdentityTests
{
    private static readonly Dictionary<string, string[]> RealReferences = new()
    {
        ["Nop.Core"] = [],
        ["Nop.Data"] = ["Nop.Core"],
        ["Nop.Services"] = ["Nop.Core", "Nop.Data"],
        ["Nop.Web.Framework"] = ["Nop.Core", "Nop.Data", "Nop.Services"]
    };

    private static IAssemblySymbol Sdk(string name) =>
        SdkAssemblies.Instance.Sdk.Single(assembly => assembly.Identity.Name == name);

    [TestCaseSource(nameof(AssemblyNames))]
    public void IsNamedAndVersionedAsNopCommerce(string name)
    {
        var identity = Sdk(name).Identity;

        Assert.Multiple(() =>
        {
            Assert.That(identity.Name, Is.EqualTo(name));
            Assert.That(identity.Version, Is.EqualTo(new Version(4, 90, 0, 0)));
            Assert.That(identity.CultureName, Is.Empty);
            Assert.That(identity.IsStrongName, Is.False);
            Assert.That(identity.PublicKeyToken, Is.Empty);
            Assert.That(identity.GetDisplayName(), Is.EqualTo($"{name}, Version=4.90.0.0, Culture=neutral, PublicKeyToken=null"));
        });
    }

    [TestCaseSource(nameof(AssemblyNames))]
    public void TargetsNet9(string name)
    {
        var targetFramework = Sdk(name).GetAttributes()
            .Single(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.Versioning.TargetFrameworkAttribute");

        Assert.That(targetFramework.ConstructorArguments[0].Value, Is.EqualTo(".NETCoreApp,Version=v9.0"));
    }

    /// <summary>
    /// A compiled assembly only references what its code uses, so its references must be among nopCommerce's;
    /// the SDK projects reference exactly nopCommerce's (checked on the project files below).
    /// </summary>
    [TestCaseSource(nameof(AssemblyNames))]
    public void ReferencesNoNopAssemblyThatNopCommerceDoesNot(string name)
    {
        var nopReferences = Sdk(name).Modules.Single().ReferencedAssemblies
            .Where(identity => identity.Name.StartsWith("Nop.", StringComparison.Ordinal))
            .ToList();

        Assert.That(nopReferences.Select(identity => identity.Name), Is.SubsetOf(RealReferences[name]));
        Assert.That(nopReferences.Select(identity => identity.GetDisplayName()),
            Has.All.EndsWith(", Version=4.90.0.0, Culture=neutral, PublicKeyToken=null"));
    }

    [TestCaseSource(nameof(AssemblyNames))]
    public void ProjectReferencesTheOtherNopProjectsAsNopCommerceDoes(string name)
    {
        var project = XDocument.Load(Path.Combine(SdkFolder(), name, name + ".csproj"));
        var referenced = project.Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')));

        Assert.That(referenced, Is.EquivalentTo(RealReferences[name]));
    }

    private static string SdkFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var sdk = Path.Combine(dir.FullName, "build", "sdk");
            if (File.Exists(Path.Combine(sdk, "Nop.Core", "Nop.Core.csproj")))
                return sdk;
        }

        throw new DirectoryNotFoundException($"No build/sdk above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<string> AssemblyNames() => SdkAssemblies.SdkNames;
}
