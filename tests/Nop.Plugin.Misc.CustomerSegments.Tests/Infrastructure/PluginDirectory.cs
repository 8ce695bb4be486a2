namespace Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

/// <summary>
/// The plugin's source folder (the one holding its project file), found above the test assembly
/// </summary>
public static class PluginDirectory
{
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Nop.Plugin.Misc.CustomerSegments.csproj")))
                    return directory.FullName;
            }

            throw new DirectoryNotFoundException("Cannot find Nop.Plugin.Misc.CustomerSegments.csproj above the test assembly");
        }
    }
}
