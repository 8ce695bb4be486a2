using Nop.Services.Common;
using Nop.Services.Events;
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Web.Framework.Events;
using Nop.Web.Framework.Menu;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Adds "Customer segments" to the admin menu under Customers, for admins with the plugin's permission
/// </summary>
public class AdminMenuEventConsumer : IConsumer<AdminMenuCreatedEvent>
{
    /// <summary>
    /// The menu item it follows under Customers
    /// </summary>
    public const string AfterMenuSystemName = "Customer roles";

    public const string ParentMenuSystemName = "Customers";

    protected readonly ILocalizationService _localizationService;
    protected readonly IPluginService _pluginService;

    public AdminMenuEventConsumer(ILocalizationService localizationService, IPluginService pluginService)
    {
        _localizationService = localizationService;
        _pluginService = pluginService;
    }

    /// <summary>
    /// The plugin's menu item; the admin menu hides it from customers without the permission it names
    /// </summary>
    public virtual async Task<AdminMenuItem> PrepareMenuItemAsync(string url) => new()
    {
        SystemName = CustomerSegmentsDefaults.AdminMenuSystemName,
        Title = await _localizationService.GetResourceAsync($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.Menu.Title"),
        Url = url,
        IconClass = "far fa-dot-circle",
        Visible = true,
        PermissionNames = new List<string> { CustomerSegmentsDefaults.ManagePermissionSystemName }
    };

    public virtual async Task HandleEventAsync(AdminMenuCreatedEvent eventMessage)
    {
        //the event comes before the plugin is fully installed too: add nothing until it is
        var descriptor = await _pluginService.GetPluginDescriptorBySystemNameAsync<IMiscPlugin>(CustomerSegmentsDefaults.SystemName,
            LoadPluginsMode.InstalledOnly);
        if (descriptor is null)
            return;

        var customers = eventMessage.RootMenuItem.GetItemBySystemName(ParentMenuSystemName);
        if (customers is null)
            return;

        var item = await PrepareMenuItemAsync(eventMessage.GetMenuItemUrl("CustomerSegmentsAdmin", "List"));
        if (!customers.InsertAfter(AfterMenuSystemName, item))
            customers.ChildNodes.Add(item);
    }
}
