using Nop.Core.Domain.ScheduleTasks;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;

namespace Nop.Plugin.Misc.CustomerSegments;

/// <summary>
/// The customer segments plugin
/// </summary>
public class CustomerSegmentsPlugin : BasePlugin, IMiscPlugin
{
    #region Fields

    protected readonly ILocalizationService _localizationService;
    protected readonly IPermissionService _permissionService;
    protected readonly IScheduleTaskService _scheduleTaskService;
    protected readonly ISettingService _settingService;

    #endregion

    #region Ctor

    public CustomerSegmentsPlugin(ILocalizationService localizationService,
        IPermissionService permissionService,
        IScheduleTaskService scheduleTaskService,
        ISettingService settingService)
    {
        _localizationService = localizationService;
        _permissionService = permissionService;
        _scheduleTaskService = scheduleTaskService;
        _settingService = settingService;
    }

    #endregion

    #region Methods

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

        await base.InstallAsync();
    }

    public override async Task UninstallAsync()
    {
        if (await _scheduleTaskService.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType) is ScheduleTask task)
            await _scheduleTaskService.DeleteTaskAsync(task);

        await _permissionService.DeletePermissionAsync(CustomerSegmentsDefaults.ManagePermissionSystemName);
        await _settingService.DeleteSettingAsync<CustomerSegmentsSettings>();
        await _localizationService.DeleteLocaleResourcesAsync(CustomerSegmentsDefaults.LocaleResourcePrefix);

        await base.UninstallAsync();
    }

    #endregion
}
