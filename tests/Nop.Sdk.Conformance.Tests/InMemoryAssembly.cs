using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>Compiles C# source into an assembly in memory and reads it back as metadata, as the SDK is read.</summary>
public static class InMemoryAssembly
{
    public static MetadataReference Compile(string assemblyName, string source, params MetadataReference[] extraReferences)
    {
        var references = MetadataReferences.Framework.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Concat(extraReferences);
        var compilation = CSharpCompilation.Create(assemblyName,
            [CSharpSyntaxTree.ParseText(source), CSharpSyntaxTree.ParseText("[assembly: System.Reflection.AssemblyVersion(\"4.90.0.0\")]")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
            throw new InvalidOperationException($"{assemblyName} does not compile:\n" +
                string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        return MetadataReference.CreateFromImage(image.ToArray());
    }

    /// <summary>The printed lines of <paramref name="reference"/>, read with default (public) metadata import.</summary>
    public static IReadOnlyList<ApiLine> Print(MetadataReference reference, params MetadataReference[] dependencies)
    {
        var references = MetadataReferences.Framework.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Concat(dependencies).Append(reference);
        var compilation = CSharpCompilation.Create("Reader", references: references);
        return ApiPrinter.Print((IAssemblySymbol)compilation.GetAssemblyOrModuleSymbol(reference)!);
    }
}
