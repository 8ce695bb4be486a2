using System.Threading.Tasks;

namespace Nop.Services.Plugins;

public interface IPlugin
{
    string GetConfigurationPageUrl();

    PluginDescriptor PluginDescriptor { get; set; }

    Task InstallAsync();

    Task UninstallAsync();

    Task UpdateAsync(string currentVersion, string targetVersion);

    Task PreparePluginToUninstallAsync();

    Task InstallSampleDataAsync();
}
