using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Packaging;

/// <summary>
/// The package build/build.sh makes: Plugins/Misc.CustomerSegments/ (what goes into nopCommerce's Plugins
/// folder) and Plugins/Misc.CustomerSegments.zip (what Admin > Local plugins > Upload takes)
/// </summary>
[TestFixture]
public class PackageTests
{
    private const string PluginFolder = "Misc.CustomerSegments";
    private const string PluginAssembly = "Nop.Plugin.Misc.CustomerSegments";

    private string _packageDir;
    private string _zipPath;

    [OneTimeSetUp]
    public void LocatePackage()
    {
        var root = FindRepositoryRoot();
        _packageDir = Path.Combine(root, "Plugins", PluginFolder);
        _zipPath = Path.Combine(root, "Plugins", PluginFolder + ".zip");

        if (!Directory.Exists(_packageDir) || !File.Exists(_zipPath))
            BuildPackage(root);

        Assert.That(Directory.Exists(_packageDir), Is.True, $"{_packageDir} is missing: run build/build.sh");
        Assert.That(File.Exists(_zipPath), Is.True, $"{_zipPath} is missing: run build/build.sh");
    }

    [Test]
    public void PluginJsonDescribesThePluginForNopCommerce490()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_packageDir, "plugin.json")));
        var descriptor = json.RootElement;

        Assert.That(descriptor.GetProperty("SystemName").GetString(), Is.EqualTo("Misc.CustomerSegments"));
        Assert.That(descriptor.GetProperty("Group").GetString(), Is.EqualTo("Misc"));
        Assert.That(descriptor.GetProperty("SupportedVersions").EnumerateArray().Select(v => v.GetString()), Is.EqualTo(new[] { "4.90" }));
        Assert.That(descriptor.GetProperty("FriendlyName").GetString(), Is.Not.Empty);
        Assert.That(descriptor.GetProperty("Version").GetString(), Is.Not.Empty);

        var fileName = descriptor.GetProperty("FileName").GetString();
        Assert.That(fileName, Is.EqualTo(PluginAssembly + ".dll"));
        Assert.That(File.Exists(Path.Combine(_packageDir, fileName)), Is.True, "the FileName of plugin.json is in the package");
    }

    [Test]
    public void TheAssemblyIsThePluginBuiltForNet9AgainstNopCommerce490()
    {
        using var stream = File.OpenRead(Path.Combine(_packageDir, PluginAssembly + ".dll"));
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();

        Assert.That(metadata.GetString(metadata.GetAssemblyDefinition().Name), Is.EqualTo(PluginAssembly));

        var references = metadata.AssemblyReferences
            .Select(metadata.GetAssemblyReference)
            .ToDictionary(r => metadata.GetString(r.Name), r => r.Version);
        Assert.That(references["Nop.Core"], Is.EqualTo(new Version(4, 90, 0, 0)));
        Assert.That(references["System.Runtime"].Major, Is.EqualTo(9), "the plugin targets net9.0 as nopCommerce 4.90");
    }

    [Test]
    public void LogoIsAPng()
    {
        var logo = File.ReadAllBytes(Path.Combine(_packageDir, "logo.png"));

        Assert.That(logo.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
    }

    [Test]
    public void OnlyThePluginsOwnAssemblyShips()
    {
        var assemblies = Directory.EnumerateFiles(_packageDir, "*.dll", SearchOption.AllDirectories)
            .Select(Path.GetFileName)
            .ToList();

        Assert.That(assemblies, Is.EqualTo(new[] { PluginAssembly + ".dll" }),
            "nopCommerce already has Nop.*, linq2db, FluentMigrator and the rest: the package must not carry them");
        Assert.That(Directory.EnumerateFiles(_packageDir, "*.deps.json", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void ZipHoldsThePluginFolderAsItsOnlyRoot()
    {
        using var archive = ZipFile.OpenRead(_zipPath);
        var entries = archive.Entries.Where(e => !string.IsNullOrEmpty(e.Name)).Select(e => e.FullName).ToList();

        Assert.That(archive.Entries.Select(e => e.FullName.Split('/')[0]).Distinct(), Is.EqualTo(new[] { PluginFolder }),
            "nopCommerce's upload wants exactly one root folder");
        Assert.That(entries, Does.Contain($"{PluginFolder}/plugin.json"));
        Assert.That(archive.Entries.Any(e => e.Name.Equals("uploadedItems.json", StringComparison.OrdinalIgnoreCase)), Is.False);

        var folderFiles = Directory.EnumerateFiles(_packageDir, "*", SearchOption.AllDirectories)
            .Select(f => $"{PluginFolder}/{Path.GetRelativePath(_packageDir, f).Replace('\\', '/')}");
        Assert.That(entries, Is.EquivalentTo(folderFiles), "the zip has the same files as the folder");

        using var json = JsonDocument.Parse(new StreamReader(archive.GetEntry($"{PluginFolder}/plugin.json")!.Open()).ReadToEnd());
        Assert.That(json.RootElement.GetProperty("SystemName").GetString(), Is.EqualTo("Misc.CustomerSegments"));
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, PluginAssembly + ".csproj")) && File.Exists(Path.Combine(dir.FullName, "build", "build.sh")))
                    return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Cannot find the repository ({PluginAssembly}.csproj) above {AppContext.BaseDirectory}");
    }

    private static void BuildPackage(string root)
    {
        TestContext.Progress.WriteLine("The package is not built: running build/build.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "build", "build.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("build/build.sh did not finish within 10 minutes");
        }

        Assert.That(process.ExitCode, Is.Zero, $"build/build.sh failed:\n{output.Result}\n{error.Result}");
    }
}
