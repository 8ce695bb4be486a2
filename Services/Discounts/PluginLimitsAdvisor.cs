using Nop.Services.Plugins;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

public class PluginLimitsAdvisor : IPluginLimitsAdvisor
{
    protected readonly IPluginService _pluginService;

    public PluginLimitsAdvisor(IPluginService pluginService)
    {
        _pluginService = pluginService;
    }

    public virtual async Task<bool> IsLimitedAsync()
    {
        //read without the current customer and store: the limits themselves, not whether they let this admin through
        var descriptor = await _pluginService.GetPluginDescriptorBySystemNameAsync<IPlugin>(CustomerSegmentsDefaults.SystemName, LoadPluginsMode.All);

        return descriptor?.LimitedToStores?.Count > 0 || descriptor?.LimitedToCustomerRoles?.Count > 0;
    }
}
