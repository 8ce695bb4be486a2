using System.Reflection;
using Microsoft.AspNetCore.Mvc.Razor.Extensions;
using Microsoft.AspNetCore.Razor.Language;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Razor;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Views;

/// <summary>
/// Every view of the plugin goes through Razor's MVC code generation, with the tag helpers of ASP.NET Core and
/// of the nopCommerce SDK, and the generated C# is compiled against the plugin: a wrong model property, helper
/// or tag helper attribute fails here as it would when nopCommerce compiles the view
/// </summary>
public class ViewCompilationTests
{
    internal static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    public static IEnumerable<string> ViewPaths()
    {
        var views = Path.Combine(PluginDirectory.Root, "Views");

        return Directory.EnumerateFiles(views, "*.cshtml", SearchOption.AllDirectories)
            .Where(path => !Path.GetFileName(path).StartsWith("_ViewImports", StringComparison.Ordinal))
            .Select(path => "/" + Path.GetRelativePath(PluginDirectory.Root, path).Replace('\\', '/'))
            .OrderBy(path => path, StringComparer.Ordinal);
    }

    /// <summary>
    /// The runtime's and ASP.NET Core's assemblies, the plugin, the SDK and their dependencies (all loaded next to the tests)
    /// </summary>
    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var local = Directory.EnumerateFiles(Path.GetDirectoryName(typeof(ViewCompilationTests).Assembly.Location)!, "*.dll");

        return trusted.Concat(local)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(group => group.First())
            .Where(IsManagedAssembly)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static RazorProjectEngine CreateEngine(RazorProjectFileSystem fileSystem) =>
        RazorProjectEngine.Create(RazorConfiguration.Default, fileSystem, builder =>
        {
            RazorExtensions.Register(builder);
            builder.Features.Add(new DefaultMetadataReferenceFeature { References = References.Value });
            builder.Features.Add(new CompilationTagHelperFeature());
            builder.Features.Add(new DefaultTagHelperDescriptorProvider());
            CompilerFeatures.Register(builder);
        });

    /// <summary>
    /// Generates and compiles one view; returns the errors, with the view's line where Razor maps them
    /// </summary>
    public static IReadOnlyList<string> Compile(RazorProjectFileSystem fileSystem, string viewPath, out RazorCodeDocument codeDocument)
    {
        var engine = CreateEngine(fileSystem);
        codeDocument = engine.Process(fileSystem.GetItem(viewPath, FileKinds.Legacy));
        var csharp = codeDocument.GetCSharpDocument();

        var errors = csharp.Diagnostics
            .Where(diagnostic => diagnostic.Severity == RazorDiagnosticSeverity.Error)
            .Select(diagnostic => $"{viewPath}: Razor {diagnostic.Id} {diagnostic.GetMessage()}")
            .ToList();

        var tree = CSharpSyntaxTree.ParseText(csharp.GeneratedCode, new CSharpParseOptions(LanguageVersion.Latest), path: viewPath);
        var compilation = CSharpCompilation.Create("Views_" + Guid.NewGuid().ToString("N"), [tree], References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));

        errors.AddRange(compilation.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)
            .Select(diagnostic => $"{diagnostic.Location.GetMappedLineSpan()}: {diagnostic.Id} {diagnostic.GetMessage()}"));

        return errors;
    }

    [TestCaseSource(nameof(ViewPaths))]
    public void ViewCompiles(string viewPath)
    {
        var fileSystem = RazorProjectFileSystem.Create(PluginDirectory.Root);

        var errors = Compile(fileSystem, viewPath, out var codeDocument);

        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors));
        Assert.That(codeDocument.GetCSharpDocument().GeneratedCode, Does.Contain("Nop.Web.Framework.Mvc.Razor.NopRazorPage<"),
            "the view inherits nopCommerce's Razor page through _ViewImports");
    }

    [Test]
    public void EveryViewIsCovered()
    {
        Assert.That(ViewPaths(), Is.SupersetOf(new[]
        {
            "/Views/Admin/List.cshtml", "/Views/Admin/Create.cshtml", "/Views/Admin/Edit.cshtml", "/Views/Admin/Configure.cshtml",
            "/Views/Admin/_CreateOrUpdate.Rule.cshtml", "/Views/Components/CustomerSegmentsCard.cshtml"
        }));
    }

    /// <summary>
    /// The card on the customer page is rendered by nopCommerce's card tag helper, as the page's own cards: it folds
    /// and remembers it
    /// </summary>
    [Test]
    public void TheCustomerPageCardIsANopCard()
    {
        var errors = Compile(RazorProjectFileSystem.Create(PluginDirectory.Root), "/Views/Components/CustomerSegmentsCard.cshtml", out var codeDocument);

        Assert.That(errors, Is.Empty);
        Assert.That(codeDocument.GetCSharpDocument().GeneratedCode, Does.Contain("Nop.Web.Framework.TagHelpers.Admin.NopCardTagHelper"));
    }

    [Test]
    public void NopTagHelpersAreBoundNotLeftAsMarkup()
    {
        var errors = Compile(RazorProjectFileSystem.Create(PluginDirectory.Root), "/Views/Admin/_CreateOrUpdate.Info.cshtml", out var codeDocument);
        var generated = codeDocument.GetCSharpDocument().GeneratedCode;

        Assert.That(errors, Is.Empty);
        Assert.That(generated, Does.Contain("Nop.Web.Framework.TagHelpers.Admin.NopLabelTagHelper"));
        Assert.That(generated, Does.Contain("Nop.Web.Framework.TagHelpers.Admin.NopEditorTagHelper"));
        Assert.That(generated, Does.Contain("Nop.Web.Framework.TagHelpers.Admin.NopSelectTagHelper"));
        Assert.That(generated, Does.Contain("Nop.Web.Framework.TagHelpers.Admin.NopTextAreaTagHelper"));
    }

    [Test]
    public void AWrongModelPropertyFailsTheCompilation()
    {
        //the same view with a property the model does not have: the check must catch it
        var root = Directory.CreateTempSubdirectory("segment-views-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "Views", "Admin"));
            File.Copy(Path.Combine(PluginDirectory.Root, "Views", "_ViewImports.cshtml"), Path.Combine(root.FullName, "Views", "_ViewImports.cshtml"));
            var view = File.ReadAllText(Path.Combine(PluginDirectory.Root, "Views", "Admin", "_CreateOrUpdate.Info.cshtml"))
                .Replace("<nop-editor asp-for=\"Name\"", "<nop-editor asp-for=\"NameThatDoesNotExist\"");
            File.WriteAllText(Path.Combine(root.FullName, "Views", "Admin", "Broken.cshtml"), view);

            var errors = Compile(RazorProjectFileSystem.Create(root.FullName), "/Views/Admin/Broken.cshtml", out _);

            Assert.That(errors, Has.Some.Contains("NameThatDoesNotExist"));
        }
        finally
        {
            root.Delete(true);
        }
    }
}
