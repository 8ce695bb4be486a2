using Moq;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Plugins;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

public class PluginLimitsAdvisorTests
{
    private static async Task<bool> IsLimitedAsync(PluginDescriptor descriptor)
    {
        var plugins = new Mock<IPluginService>();
        //the descriptor as it is, not filtered by the admin's roles or store
        plugins.Setup(p => p.GetPluginDescriptorBySystemNameAsync<IPlugin>(CustomerSegmentsDefaults.SystemName, LoadPluginsMode.All, null, 0, null))
            .ReturnsAsync(descriptor);

        return await new PluginLimitsAdvisor(plugins.Object).IsLimitedAsync();
    }

    [Test]
    public async Task APluginLimitedToStoresOrRolesIsLimited()
    {
        Assert.That(await IsLimitedAsync(new PluginDescriptor { LimitedToStores = [2], LimitedToCustomerRoles = [] }), Is.True);
        Assert.That(await IsLimitedAsync(new PluginDescriptor { LimitedToStores = [], LimitedToCustomerRoles = [3] }), Is.True);
    }

    [Test]
    public async Task APluginForEveryoneOrNotFoundIsNotLimited()
    {
        Assert.That(await IsLimitedAsync(new PluginDescriptor { LimitedToStores = [], LimitedToCustomerRoles = [] }), Is.False);
        Assert.That(await IsLimitedAsync(new PluginDescriptor()), Is.False);
        Assert.That(await IsLimitedAsync(null), Is.False);
    }
}
