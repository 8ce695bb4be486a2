using System.Threading.Tasks;
using Nop.Core.Domain.Customers;

namespace Nop.Services.Plugins;

public interface IPluginService
{
    Task<PluginDescriptor> GetPluginDescriptorBySystemNameAsync<TPlugin>(string systemName, LoadPluginsMode loadMode = LoadPluginsMode.InstalledOnly, Customer customer = null, int storeId = 0, string group = null) where TPlugin : class, IPlugin;
}
