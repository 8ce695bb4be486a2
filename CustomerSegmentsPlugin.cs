using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Data;
using Nop.Core.Domain.Localization;
using Nop.Core;
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Plugin.Misc.CustomerSegments.Components;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Cms;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Discounts;
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Nop.Web.Framework.Infrastructure;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.CustomerSegments;

/// <summary>
/// The customer segments plugin
/// </summary>
public class CustomerSegmentsPlugin : BasePlugin, IMiscPlugin, IWidgetPlugin, IDiscountRequirementRule
{
    #region Fields

    protected readonly CustomerSegmentsSettings _customerSegmentsSettings;
    protected readonly ILanguageService _languageService;
    protected readonly ILocalizationService _localizationService;
    protected readonly INopUrlHelper _nopUrlHelper;
    protected readonly IPermissionService _permissionService;
    protected readonly IRepository<LocalizedProperty> _localizedPropertyRepository;
    protected readonly IScheduleTaskService _scheduleTaskService;
    protected readonly ISegmentCacheInvalidator _segmentCacheInvalidator;
    protected readonly ISegmentDiscountRequirementCleaner _segmentDiscountRequirementCleaner;
    protected readonly ISegmentRequirementChecker _segmentRequirementChecker;
    protected readonly ISettingService _settingService;
    protected readonly IStoreSegmentDeactivator _storeSegmentDeactivator;
    protected readonly IWebHelper _webHelper;
    protected readonly WidgetSettings _widgetSettings;

    #endregion

    #region Ctor

    public CustomerSegmentsPlugin(CustomerSegmentsSettings customerSegmentsSettings,
        ILanguageService languageService,
        ILocalizationService localizationService,
        INopUrlHelper nopUrlHelper,
        IPermissionService permissionService,
        IRepository<LocalizedProperty> localizedPropertyRepository,
        IScheduleTaskService scheduleTaskService,
        ISegmentCacheInvalidator segmentCacheInvalidator,
        ISegmentDiscountRequirementCleaner segmentDiscountRequirementCleaner,
        ISegmentRequirementChecker segmentRequirementChecker,
        ISettingService settingService,
        IStoreSegmentDeactivator storeSegmentDeactivator,
        IWebHelper webHelper,
        WidgetSettings widgetSettings)
    {
        _customerSegmentsSettings = customerSegmentsSettings;
        _languageService = languageService;
        _localizationService = localizationService;
        _nopUrlHelper = nopUrlHelper;
        _permissionService = permissionService;
        _localizedPropertyRepository = localizedPropertyRepository;
        _scheduleTaskService = scheduleTaskService;
        _segmentCacheInvalidator = segmentCacheInvalidator;
        _segmentDiscountRequirementCleaner = segmentDiscountRequirementCleaner;
        _segmentRequirementChecker = segmentRequirementChecker;
        _settingService = settingService;
        _storeSegmentDeactivator = storeSegmentDeactivator;
        _webHelper = webHelper;
        _widgetSettings = widgetSettings;
    }

    #endregion

    #region Utilities

    /// <summary>
    /// Adds, in English, the plugin's texts a language lacks; the texts it has (translated or edited by the shop) stay
    /// </summary>
    protected virtual async Task AddMissingLocaleResourcesAsync()
    {
        foreach (var language in await _languageService.GetAllLanguagesAsync(showHidden: true))
        {
            var existing = await _localizationService.GetAllResourceValuesAsync(language.Id, null);
            var missing = LocaleResources.English
                .Where(resource => !existing.ContainsKey(resource.Key.ToLowerInvariant()))
                .ToDictionary(resource => resource.Key, resource => resource.Value);
            if (missing.Count > 0)
                await _localizationService.AddOrUpdateLocaleResourceAsync(missing, language.Id);
        }
    }

    #endregion

    #region Methods

    public override string GetConfigurationPageUrl() =>
        $"{_webHelper.GetStoreLocation()}Admin/CustomerSegmentsAdmin/Configure";

    /// <summary>
    /// The admin customer page shows the customer's segments in a card; when the shopper widget is on,
    /// the public zones the admin chose show the offers the shopper's segments unlock
    /// </summary>
    public Task<IList<string>> GetWidgetZonesAsync()
    {
        var zones = new List<string> { AdminWidgetZones.CustomerDetailsBlock };
        if (_customerSegmentsSettings.WidgetEnabled)
        {
            zones.AddRange((_customerSegmentsSettings.WidgetZones ?? [])
                .Where(zone => !string.IsNullOrWhiteSpace(zone))
                .Select(zone => zone.Trim())
                .Where(zone => !zones.Contains(zone, StringComparer.OrdinalIgnoreCase)));
        }

        return Task.FromResult<IList<string>>(zones.Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    public Type GetWidgetViewComponent(string widgetZone)
    {
        if (widgetZone == AdminWidgetZones.CustomerDetailsBlock)
            return typeof(CustomerSegmentsCardViewComponent);

        var shopperZone = _customerSegmentsSettings.WidgetEnabled
            && (_customerSegmentsSettings.WidgetZones ?? []).Any(zone => string.Equals(zone?.Trim(), widgetZone, StringComparison.OrdinalIgnoreCase));

        return shopperZone ? typeof(SegmentOffersViewComponent) : null;
    }

    /// <summary>
    /// The discount requirement "customer is in segment(s)"
    /// </summary>
    public Task<DiscountRequirementValidationResult> CheckRequirementAsync(DiscountRequirementValidationRequest request) =>
        _segmentRequirementChecker.CheckAsync(request);

    public string GetConfigurationUrl(int discountId, int? discountRequirementId) =>
        _nopUrlHelper.RouteUrl(CustomerSegmentsDefaults.DiscountRequirementConfigurationRouteName,
            new { discountId, discountRequirementId }, _webHelper.GetCurrentRequestProtocol());

    /// <summary>
    /// The plugin's widgets are part of its admin pages, not something to switch on and off in the widget list
    /// </summary>
    public bool HideInWidgetList => true;

    /// <summary>
    /// Adds the scheduled rebuild task unless it is there
    /// </summary>
    protected virtual async Task EnsureRebuildTaskAsync(int intervalSeconds)
    {
        if (await _scheduleTaskService.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType) is not null)
            return;

        await _scheduleTaskService.InsertTaskAsync(new ScheduleTask
        {
            Name = CustomerSegmentsDefaults.RebuildTaskName,
            Type = CustomerSegmentsDefaults.RebuildTaskType,
            Seconds = intervalSeconds,
            Enabled = true,
            StopOnError = false,
            LastEnabledUtc = DateTime.UtcNow
        });
    }

    public override async Task InstallAsync()
    {
        var settings = new CustomerSegmentsSettings();
        await _settingService.SaveSettingAsync(settings);

        await EnsureRebuildTaskAsync(settings.RebuildIntervalSeconds);

        await _localizationService.AddOrUpdateLocaleResourceAsync(LocaleResources.English);

        //nopCommerce renders only active widgets, the admin ones too
        if (!_widgetSettings.ActiveWidgetSystemNames.Contains(CustomerSegmentsDefaults.SystemName))
        {
            _widgetSettings.ActiveWidgetSystemNames.Add(CustomerSegmentsDefaults.SystemName);
            await _settingService.SaveSettingAsync(_widgetSettings);
        }

        await _segmentCacheInvalidator.PluginDataChangedAsync();

        await base.InstallAsync();
    }

    /// <summary>
    /// nopCommerce calls this when plugin.json's version changed (after the new migrations ran): settings keep
    /// their values and gain the new ones' defaults, new text is added, the rebuild task is there; the segments of
    /// stores deleted while no version of the plugin switched them off become inactive (named in the log), the
    /// other segments and all memberships are left as they are
    /// </summary>
    public override async Task UpdateAsync(string currentVersion, string targetVersion)
    {
        //the loaded settings hold the stored values, and the defaults of settings this version added
        await _settingService.SaveSettingAsync(_customerSegmentsSettings);

        await EnsureRebuildTaskAsync(_customerSegmentsSettings.RebuildIntervalSeconds);

        await AddMissingLocaleResourcesAsync();

        await _storeSegmentDeactivator.DeactivateSegmentsOfDeletedStoresAsync();

        await base.UpdateAsync(currentVersion, targetVersion);
    }

    public override async Task UninstallAsync()
    {
        //this rule's requirements (and their settings) go with the plugin; other rules' stay
        await _segmentDiscountRequirementCleaner.RemoveAllAsync();

        if (await _scheduleTaskService.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType) is ScheduleTask task)
            await _scheduleTaskService.DeleteTaskAsync(task);

        await _permissionService.DeletePermissionAsync(CustomerSegmentsDefaults.ManagePermissionSystemName);
        await _settingService.DeleteSettingAsync<CustomerSegmentsSettings>();

        if (_widgetSettings.ActiveWidgetSystemNames.Remove(CustomerSegmentsDefaults.SystemName))
            await _settingService.SaveSettingAsync(_widgetSettings);
        await _localizationService.DeleteLocaleResourcesAsync(CustomerSegmentsDefaults.LocaleResourcePrefix);

        //the segments' translations (shopper messages): a reinstalled plugin numbers its segments from 1 again
        await _localizedPropertyRepository.DeleteAsync(property => property.LocaleKeyGroup == nameof(Segment));

        await _segmentCacheInvalidator.PluginDataChangedAsync();

        await base.UninstallAsync();
    }

    #endregion
}
