using System.Diagnostics;
using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Packaging;

/// <summary>
/// The plugin project as MSBuild evaluates it: nothing but the plugin compiles, and the NopRoot switch
/// builds against a nopCommerce source tree into its Plugins folder
/// </summary>
[TestFixture]
public class ProjectLayoutTests
{
    private string _root;
    private string _project;
    private string _fakeNop;

    [OneTimeSetUp]
    public void CreateFakeNopCommerceTree()
    {
        _root = PluginDirectory.Root;
        _project = Path.Combine(_root, "Nop.Plugin.Misc.CustomerSegments.csproj");

        //just enough of a nopCommerce source tree for the project to recognise it
        _fakeNop = Path.Combine(Path.GetTempPath(), $"fakenop-{Guid.NewGuid():N}");
        var src = Path.Combine(_fakeNop, "src");
        Directory.CreateDirectory(Path.Combine(src, "Presentation", "Nop.Web.Framework"));
        Directory.CreateDirectory(Path.Combine(src, "Build"));
        File.WriteAllText(Path.Combine(src, "Presentation", "Nop.Web.Framework", "Nop.Web.Framework.csproj"),
            """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net9.0</TargetFramework></PropertyGroup></Project>""");
        File.WriteAllText(Path.Combine(src, "Build", "ClearPluginAssemblies.proj"),
            """<Project><Target Name="NopClear" /></Project>""");
    }

    [OneTimeTearDown]
    public void RemoveFakeTree()
    {
        if (_fakeNop != null && Directory.Exists(_fakeNop))
            Directory.Delete(_fakeNop, recursive: true);
    }

    [Test]
    public void ThePluginCompilesNothingOutsideItsOwnFolders()
    {
        var evaluation = Evaluate(_project);
        var files = evaluation.Items("Compile").Concat(evaluation.Items("Content")).Concat(evaluation.Items("EmbeddedResource"))
            .Select(path => Path.GetRelativePath(_root, Path.GetFullPath(path, _root)).Replace('\\', '/'))
            .ToList();

        Assert.That(files, Is.Not.Empty);
        Assert.That(files.Where(f => f.StartsWith("tests/") || f.StartsWith("build/") || f.StartsWith("Plugins/") || f.StartsWith("bench/") || f.StartsWith(".artifacts/")),
            Is.Empty);
        Assert.That(evaluation.Property("UseNopSdk"), Is.EqualTo("true"));
        Assert.That(evaluation.Items("ProjectReference").Single().Replace('\\', '/'), Is.EqualTo("build/sdk/Nop.Web.Framework/Nop.Web.Framework.csproj"));
    }

    [TestCase("src")]
    [TestCase("src/")]
    [TestCase("")]
    public void NopRootBuildsAgainstNopCommerceIntoItsPluginsFolder(string relative)
    {
        var nopRoot = Path.Combine(_fakeNop, relative);
        var src = Path.Combine(_fakeNop, "src");

        var evaluation = Evaluate(_project, $"-p:NopRoot={nopRoot}");

        Assert.That(evaluation.Property("UseNopSdk"), Is.EqualTo("false"));
        Assert.That(Path.GetFullPath(evaluation.Property("NopRoot")), Is.EqualTo(Path.GetFullPath(src)));
        Assert.That(Path.GetFullPath(evaluation.Property("OutDir")).TrimEnd('/'),
            Is.EqualTo(Path.Combine(src, "Presentation", "Nop.Web", "Plugins", "Misc.CustomerSegments")));
        Assert.That(evaluation.Items("ProjectReference").Select(Path.GetFullPath),
            Is.EqualTo(new[] { Path.Combine(src, "Presentation", "Nop.Web.Framework", "Nop.Web.Framework.csproj") }));
        Assert.That(evaluation.Items("ClearPluginAssemblies").Select(Path.GetFullPath),
            Is.EqualTo(new[] { Path.Combine(src, "Build", "ClearPluginAssemblies.proj") }));
    }

    private record Evaluation(JsonElement Root)
    {
        public string Property(string name) => Root.GetProperty("Properties").GetProperty(name).GetString();

        public IEnumerable<string> Items(string type) =>
            Root.GetProperty("Items").TryGetProperty(type, out var items)
                ? items.EnumerateArray().Select(i => i.GetProperty("Identity").GetString()).ToList()
                : [];
    }

    private static Evaluation Evaluate(string project, params string[] extra)
    {
        var arguments = new List<string> { "msbuild", project, "-nologo" };
        arguments.AddRange(extra);
        arguments.AddRange(["-getProperty:UseNopSdk", "-getProperty:NopRoot", "-getProperty:OutDir",
            "-getItem:Compile", "-getItem:Content", "-getItem:EmbeddedResource", "-getItem:ProjectReference", "-getItem:ClearPluginAssemblies"]);

        var info = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.That(process.ExitCode, Is.Zero, $"dotnet msbuild failed:\n{output}\n{error.Result}");
        return new Evaluation(JsonDocument.Parse(output).RootElement.Clone());
    }
}
