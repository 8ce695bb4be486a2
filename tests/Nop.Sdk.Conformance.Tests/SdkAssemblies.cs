using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// The compiled SDK (Nop.Core, Nop.Data, Nop.Services, Nop.Web.Framework) and the plugin, read as metadata
/// from next to the tests with the references they were compiled against.
/// </summary>
public sealed class SdkAssemblies
{
    public static readonly string[] SdkNames = ["Nop.Core", "Nop.Data", "Nop.Services", "Nop.Web.Framework"];
    public const string PluginName = "Nop.Plugin.Misc.CustomerSegments";

    private static readonly Lazy<SdkAssemblies> Shared = new(() => new SdkAssemblies());

    private SdkAssemblies()
    {
        var references = MetadataReferences.ForAssembliesNextToTests();
        Compilation = CSharpCompilation.Create("Nop.Sdk.Conformance.Public", references: references);
        // internal plugin types implement SDK interfaces too: the plugin is read with everything imported
        PluginCompilation = CSharpCompilation.Create("Nop.Sdk.Conformance.All", references: references,
            options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
                .WithMetadataImportOptions(MetadataImportOptions.All));

        Sdk = SdkNames.Select(name => Assembly(Compilation, references, name)).ToList();
        Plugin = Assembly(PluginCompilation, references, PluginName);
    }

    public static SdkAssemblies Instance => Shared.Value;

    public CSharpCompilation Compilation { get; }

    public CSharpCompilation PluginCompilation { get; }

    public IReadOnlyList<IAssemblySymbol> Sdk { get; }

    public IAssemblySymbol Plugin { get; }

    /// <summary>Every line the SDK assemblies print, in listing order.</summary>
    public IReadOnlyList<ApiLine> PrintSdk() => Sdk.SelectMany(ApiPrinter.Print)
        .OrderBy(line => line.ToString(), StringComparer.Ordinal).ToList();

    private static IAssemblySymbol Assembly(Compilation compilation, IEnumerable<PortableExecutableReference> references, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        var reference = references.Single(r => string.Equals(r.FilePath, path, StringComparison.OrdinalIgnoreCase));
        return compilation.GetAssemblyOrModuleSymbol(reference) as IAssemblySymbol
               ?? throw new InvalidOperationException($"{path} is not an assembly");
    }
}
