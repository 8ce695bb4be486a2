using System;
using System.Threading.Tasks;

namespace Nop.Services.Plugins;

public abstract class BasePlugin : IPlugin
{
    protected BasePlugin()
    {
    }

    public virtual string GetConfigurationPageUrl() => throw new NotImplementedException();

    public virtual PluginDescriptor PluginDescriptor { get; set; }

    public virtual Task InstallAsync() => Task.CompletedTask;

    public virtual Task UninstallAsync() => Task.CompletedTask;

    public virtual Task UpdateAsync(string currentVersion, string targetVersion) => Task.CompletedTask;

    public virtual Task PreparePluginToUninstallAsync() => Task.CompletedTask;

    public virtual Task InstallSampleDataAsync() => Task.CompletedTask;
}
