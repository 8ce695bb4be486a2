using Nop.Core;
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Plugin.Misc.CustomerSegments.Components;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Services.Cms;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Nop.Web.Framework.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments;

/// <summary>
/// The customer segments plugin
/// </summary>
public class CustomerSegmentsPlugin : BasePlugin, IMiscPlugin, IWidgetPlugin
{
    #region Fields

    protected readonly ILocalizationService _localizationService;
    protected readonly IPermissionService _permissionService;
    protected readonly IScheduleTaskService _scheduleTaskService;
    protected readonly ISettingService _settingService;
    protected readonly IWebHelper _webHelper;
    protected readonly WidgetSettings _widgetSettings;

    #endregion

    #region Ctor

    public CustomerSegmentsPlugin(ILocalizationService localizationService,
        IPermissionService permissionService,
        IScheduleTaskService scheduleTaskService,
        ISettingService settingService,
        IWebHelper webHelper,
        WidgetSettings widgetSettings)
    {
        _localizationService = localizationService;
        _permissionService = permissionService;
        _scheduleTaskService = scheduleTaskService;
        _settingService = settingService;
        _webHelper = webHelper;
        _widgetSettings = widgetSettings;
    }

    #endregion

    #region Methods

    public override string GetConfigurationPageUrl() =>
        $"{_webHelper.GetStoreLocation()}Admin/CustomerSegmentsAdmin/Configure";

    /// <summary>
    /// The admin customer page shows the customer's segments in a card
    /// </summary>
    public Task<IList<string>> GetWidgetZonesAsync() =>
        Task.FromResult<IList<string>>([AdminWidgetZones.CustomerDetailsBlock]);

    public Type GetWidgetViewComponent(string widgetZone) =>
        widgetZone == AdminWidgetZones.CustomerDetailsBlock ? typeof(CustomerSegmentsCardViewComponent) : null;

    /// <summary>
    /// The plugin's widgets are part of its admin pages, not something to switch on and off in the widget list
    /// </summary>
    public bool HideInWidgetList => true;

    public override async Task InstallAsync()
    {
        var settings = new CustomerSegmentsSettings();
        await _settingService.SaveSettingAsync(settings);

        if (await _scheduleTaskService.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType) is null)
        {
            await _scheduleTaskService.InsertTaskAsync(new ScheduleTask
            {
                Name = CustomerSegmentsDefaults.RebuildTaskName,
                Type = CustomerSegmentsDefaults.RebuildTaskType,
                Seconds = settings.RebuildIntervalSeconds,
                Enabled = true,
                StopOnError = false,
                LastEnabledUtc = DateTime.UtcNow
            });
        }

        await _localizationService.AddOrUpdateLocaleResourceAsync(LocaleResources.English);

        //nopCommerce renders only active widgets, the admin ones too
        if (!_widgetSettings.ActiveWidgetSystemNames.Contains(CustomerSegmentsDefaults.SystemName))
        {
            _widgetSettings.ActiveWidgetSystemNames.Add(CustomerSegmentsDefaults.SystemName);
            await _settingService.SaveSettingAsync(_widgetSettings);
        }

        await base.InstallAsync();
    }

    public override async Task UninstallAsync()
    {
        if (await _scheduleTaskService.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType) is ScheduleTask task)
            await _scheduleTaskService.DeleteTaskAsync(task);

        await _permissionService.DeletePermissionAsync(CustomerSegmentsDefaults.ManagePermissionSystemName);
        await _settingService.DeleteSettingAsync<CustomerSegmentsSettings>();

        if (_widgetSettings.ActiveWidgetSystemNames.Remove(CustomerSegmentsDefaults.SystemName))
            await _settingService.SaveSettingAsync(_widgetSettings);
        await _localizationService.DeleteLocaleResourcesAsync(CustomerSegmentsDefaults.LocaleResourcePrefix);

        await base.UninstallAsync();
    }

    #endregion
}
