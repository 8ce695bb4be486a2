namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// Finds the nopCommerce API listings (shared/nop-api): env NOP_API_DIR, or a "shared/nop-api" folder
/// found by walking up from the current directory or from the application's base directory
/// </summary>
public static class NopApiFiles
{
    public const string DirectoryVariable = "NOP_API_DIR";
    public const string TablesFileName = "nopCommerce-4.90.3.tables.txt";

    private static readonly Lazy<string> _directory = new(Locate);

    public static string Directory => _directory.Value;

    public static string TablesFile => Path.Combine(Directory, TablesFileName);

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            if (File.Exists(Path.Combine(fromEnvironment, TablesFileName)))
                return Path.GetFullPath(fromEnvironment);

            throw new DirectoryNotFoundException($"{DirectoryVariable}={fromEnvironment} has no {TablesFileName}");
        }

        var starts = new[] { System.IO.Directory.GetCurrentDirectory(), AppContext.BaseDirectory };
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "nop-api");
                if (File.Exists(Path.Combine(candidate, TablesFileName)))
                    return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"Cannot find shared/nop-api/{TablesFileName} above {string.Join(" or ", starts)}; set {DirectoryVariable}");
    }
}
