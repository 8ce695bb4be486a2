using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Nop.Core;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Catalog;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Localization;
using Nop.Services.Messages;
using Nop.Services.ScheduleTasks;
using Nop.Services.Stores;
using Nop.Web.Framework;
using Nop.Web.Framework.Controllers;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.CustomerSegments.Controllers;

/// <summary>
/// The plugin's admin pages: segment list, create/edit with the rule builder, members, analytics, settings
/// </summary>
[Area(AreaNames.ADMIN)]
[AuthorizeAdmin]
[AutoValidateAntiforgeryToken]
[ValidateIpAddress]
public class CustomerSegmentsAdminController : BasePluginController
{
    #region Constants

    /// <summary>
    /// How long a live preview may run before the admin is told to narrow the rule
    /// </summary>
    public static readonly TimeSpan PreviewTimeLimit = TimeSpan.FromSeconds(10);

    public const int PreviewSampleSize = 10;

    public const int LookupPageSize = 20;

    public const int AnalyticsHistoryDays = 90;

    /// <summary>
    /// The longest period, in days, the revenue share is asked for (0: of all time)
    /// </summary>
    public const int MaxRevenueDays = 3650;

    /// <summary>
    /// The length of the Name column
    /// </summary>
    public const int SegmentNameMaxLength = 400;

    /// <summary>
    /// The length of the ShopperMessage column
    /// </summary>
    public const int ShopperMessageMaxLength = 1000;

    /// <summary>
    /// The longest description: a note for the admins, shown in full on the edit page
    /// </summary>
    public const int DescriptionMaxLength = 4000;

    protected const string VIEW_PATH = "~/Plugins/Misc.CustomerSegments/Views/Admin/";

    #endregion

    #region Fields

    protected readonly CustomerSegmentsSettings _settings;
    protected readonly ICustomerService _customerService;
    protected readonly IFormValueErrorFactory _formValueErrorFactory;
    protected readonly ILanguageService _languageService;
    protected readonly ILocalizationService _localizationService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;
    protected readonly ILocalizedEntityService _localizedEntityService;
    protected readonly INotificationService _notificationService;
    protected readonly IPriceFormatter _priceFormatter;
    protected readonly IScheduleTaskService _scheduleTaskService;
    protected readonly ISegmentAnalyticsService _segmentAnalyticsService;
    protected readonly ISegmentCopyService _segmentCopyService;
    protected readonly ISegmentMemberCsvService _segmentMemberCsvService;
    protected readonly ISegmentModelFactory _segmentModelFactory;
    protected readonly ISegmentPreviewService _segmentPreviewService;
    protected readonly ISegmentRebuildRunService _segmentRebuildRunService;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;
    protected readonly ISegmentService _segmentService;
    protected readonly ISegmentValueLookupService _segmentValueLookupService;
    protected readonly ISettingService _settingService;
    protected readonly IStaticSegmentService _staticSegmentService;
    protected readonly IStoreService _storeService;
    protected readonly IWorkContext _workContext;

    #endregion

    #region Ctor

    public CustomerSegmentsAdminController(CustomerSegmentsSettings settings,
        ICustomerService customerService,
        IFormValueErrorFactory formValueErrorFactory,
        ILanguageService languageService,
        ILocalizationService localizationService,
        ILocaleResourceFormatter localeResourceFormatter,
        ILocalizedEntityService localizedEntityService,
        INotificationService notificationService,
        IPriceFormatter priceFormatter,
        IScheduleTaskService scheduleTaskService,
        ISegmentAnalyticsService segmentAnalyticsService,
        ISegmentCopyService segmentCopyService,
        ISegmentMemberCsvService segmentMemberCsvService,
        ISegmentModelFactory segmentModelFactory,
        ISegmentPreviewService segmentPreviewService,
        ISegmentRebuildRunService segmentRebuildRunService,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentRuleValidator segmentRuleValidator,
        ISegmentService segmentService,
        ISegmentValueLookupService segmentValueLookupService,
        ISettingService settingService,
        IStaticSegmentService staticSegmentService,
        IStoreService storeService,
        IWorkContext workContext)
    {
        _settings = settings;
        _customerService = customerService;
        _formValueErrorFactory = formValueErrorFactory;
        _languageService = languageService;
        _localizationService = localizationService;
        _localeResourceFormatter = localeResourceFormatter;
        _localizedEntityService = localizedEntityService;
        _notificationService = notificationService;
        _priceFormatter = priceFormatter;
        _scheduleTaskService = scheduleTaskService;
        _segmentAnalyticsService = segmentAnalyticsService;
        _segmentCopyService = segmentCopyService;
        _segmentMemberCsvService = segmentMemberCsvService;
        _segmentModelFactory = segmentModelFactory;
        _segmentPreviewService = segmentPreviewService;
        _segmentRebuildRunService = segmentRebuildRunService;
        _segmentRuleSerializer = segmentRuleSerializer;
        _segmentRuleValidator = segmentRuleValidator;
        _segmentService = segmentService;
        _segmentValueLookupService = segmentValueLookupService;
        _settingService = settingService;
        _staticSegmentService = staticSegmentService;
        _storeService = storeService;
        _workContext = workContext;
    }

    #endregion

    #region Utilities

    /// <summary>
    /// Refuses vendors before any action runs: a vendor is the one kind of admin nopCommerce limits, and every page
    /// here shows or changes the shop's customers (previews, members, exports), which a vendor may not see
    /// </summary>
    [NonAction]
    public override async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        if (await _workContext.GetCurrentVendorAsync() != null)
        {
            context.Result = AccessDeniedView();
            return;
        }

        await next();
    }

    protected static string Resource(string name) => $"{CustomerSegmentsDefaults.LocaleResourcePrefix}.{name}";

    protected virtual async Task<string> GetResourceAsync(string name) =>
        await _localizationService.GetResourceAsync(Resource(name));

    protected virtual Task<string> FormatResourceAsync(string name, params object[] args) =>
        _localeResourceFormatter.FormatAsync(Resource(name), args);

    /// <summary>
    /// Replaces MVC's English errors for posted values it could not bind to the model's fields with localized ones
    /// </summary>
    protected virtual async Task LocalizeInvalidValueErrorsAsync<TModel>()
    {
        foreach (var (key, error) in await _formValueErrorFactory.PrepareInvalidValueErrorsAsync(ModelState, typeof(TModel)))
        {
            ModelState[key]?.Errors.Clear();
            ModelState.AddModelError(key, error);
        }
    }

    protected static bool HasControlCharacters(string text, bool lineBreaksAllowed) =>
        text?.Any(character => char.IsControl(character) && !(lineBreaksAllowed && character is '\r' or '\n' or '\t')) == true;

    /// <summary>
    /// What is wrong with a segment's name, or null: it is required, at most 400 characters, and without control
    /// characters (PostgreSQL refuses NUL in text, and none belongs in a name)
    /// </summary>
    protected virtual async Task<string> GetNameErrorAsync(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return await GetResourceAsync("Fields.Name.Required");
        if (name.Trim().Length > SegmentNameMaxLength)
            return await GetResourceAsync("Fields.Name.TooLong");

        return HasControlCharacters(name, false) ? await GetResourceAsync("Fields.Text.ControlCharacters") : null;
    }

    /// <summary>
    /// Checks the posted fields and, for a dynamic segment, parses and validates its rule
    /// </summary>
    /// <param name="segment">The segment edited; null for a new one</param>
    /// <returns>The rule errors (the field errors go to the model state) and the rule as it will be stored</returns>
    protected virtual async Task<(IReadOnlyList<RuleValidationError> ruleErrors, string ruleJson)> ValidateSegmentAsync(SegmentModel model, Segment segment)
    {
        var segmentId = segment?.Id ?? 0;
        await LocalizeInvalidValueErrorsAsync<SegmentModel>();
        if (await GetNameErrorAsync(model.Name) is { } nameError)
            ModelState.AddModelError(nameof(SegmentModel.Name), nameError);

        //PostgreSQL refuses NUL in text; the longer texts may keep their line breaks
        var texts = new List<(string Key, string Text, bool LineBreaks)>
        {
            (nameof(SegmentModel.Description), model.Description, true),
            (nameof(SegmentModel.ShopperMessage), model.ShopperMessage, true)
        };
        texts.AddRange(model.Locales.Select((locale, i) =>
            ($"{nameof(SegmentModel.Locales)}[{i}].{nameof(SegmentLocalizedModel.ShopperMessage)}", locale?.ShopperMessage, true)));
        foreach (var text in texts.Where(text => HasControlCharacters(text.Text, text.LineBreaks)))
            ModelState.AddModelError(text.Key, await GetResourceAsync("Fields.Text.ControlCharacters"));

        if (!Enum.IsDefined(typeof(SegmentType), model.SegmentTypeId))
            ModelState.AddModelError(nameof(SegmentModel.SegmentTypeId), await GetResourceAsync("Fields.SegmentType.Invalid"));

        if (model.StoreId < 0 || model.StoreId > 0 && await _storeService.GetStoreByIdAsync(model.StoreId) == null)
        {
            //the edit page offers the segment's own store even when it was deleted
            var error = model.StoreId == segment?.StoreId
                ? await FormatResourceAsync("Fields.Store.WasDeleted", model.StoreId)
                : await GetResourceAsync("Fields.Store.Invalid");
            ModelState.AddModelError(nameof(SegmentModel.StoreId), error);
        }

        if (model.Description?.Trim().Length > DescriptionMaxLength)
            ModelState.AddModelError(nameof(SegmentModel.Description), await GetResourceAsync("Fields.Description.TooLong"));
        if (model.ShopperMessage?.Trim().Length > ShopperMessageMaxLength)
            ModelState.AddModelError(nameof(SegmentModel.ShopperMessage), await GetResourceAsync("Fields.ShopperMessage.TooLong"));
        for (var i = 0; i < model.Locales.Count; i++)
        {
            if (model.Locales[i]?.ShopperMessage?.Trim().Length > ShopperMessageMaxLength)
                ModelState.AddModelError($"{nameof(SegmentModel.Locales)}[{i}].{nameof(SegmentLocalizedModel.ShopperMessage)}", await GetResourceAsync("Fields.ShopperMessage.TooLong"));
        }

        if (model.SegmentTypeId != (int)SegmentType.Dynamic)
            return ([], null);

        var parsed = _segmentRuleSerializer.Parse(model.RuleJson ?? string.Empty);
        if (!parsed.Success)
            return (await _segmentRuleValidator.LocalizeAsync(parsed.Errors), null);

        var errors = await _segmentRuleValidator.ValidateAsync(parsed.Rule, segmentId);
        if (errors.Count > 0)
            return (errors, null);

        return ([], _segmentRuleSerializer.Serialize(parsed.Rule));
    }

    /// <summary>
    /// Why a dynamic segment's stored rule is no longer rebuilt (it was saved before a limit or a check it fails now), as a
    /// rebuild validates it; none for a static segment
    /// </summary>
    protected virtual async Task<IReadOnlyList<RuleValidationError>> GetStoredRuleErrorsAsync(Segment segment) =>
        segment.SegmentTypeId == (int)SegmentType.Dynamic ? await _segmentRuleValidator.ValidateStoredAsync(segment) : [];

    /// <summary>
    /// Saves the shopper message in the other languages (an empty one falls back to the standard message); a language
    /// deleted since the page was opened, or one that never was, has nothing to keep
    /// </summary>
    protected virtual async Task UpdateLocalesAsync(Segment segment, SegmentModel model)
    {
        var locales = model.Locales.Where(locale => locale is { LanguageId: > 0 }).ToList();
        if (locales.Count == 0)
            return;

        var languageIds = (await _languageService.GetAllLanguagesAsync(showHidden: true)).Select(language => language.Id).ToHashSet();
        foreach (var localized in locales.Where(locale => languageIds.Contains(locale.LanguageId)))
        {
            await _localizedEntityService.SaveLocalizedValueAsync(segment,
                entity => entity.ShopperMessage,
                localized.ShopperMessage?.Trim(),
                localized.LanguageId);
        }
    }

    protected virtual async Task<IActionResult> SegmentFormAsync(string viewName, SegmentModel model, Segment segment,
        IReadOnlyList<RuleValidationError> ruleErrors)
    {
        foreach (var error in ruleErrors)
            ModelState.AddModelError(nameof(SegmentModel.RuleJson), error.Message);

        model = await _segmentModelFactory.PrepareSegmentModelAsync(model, segment, true, ruleErrors);

        return View($"{VIEW_PATH}{viewName}.cshtml", model);
    }

    /// <summary>
    /// Brings a saved segment's members up to date in the background (as "Rebuild now"): at a large shop a rule can take
    /// seconds, more than a request should wait; the segment page shows the run's progress
    /// </summary>
    protected virtual async Task StartRebuildAsync(Segment segment)
    {
        if (segment.Active && segment.SegmentTypeId == (int)SegmentType.Dynamic)
            await _segmentRebuildRunService.StartAsync(segment);
    }

    /// <summary>
    /// The rules naming a segment see its members only while it is active: switched off or on, the segments naming it
    /// follow (a dynamic segment's own rebuild brings them along when it runs)
    /// </summary>
    protected virtual async Task StartDependentsRebuildAsync(Segment segment)
    {
        if (segment.Active && segment.SegmentTypeId == (int)SegmentType.Dynamic)
            return;

        await _segmentRebuildRunService.StartWithReferencingSegmentsAsync([segment]);
    }

    protected virtual async Task<Segment> GetStaticSegmentAsync(int segmentId)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(segmentId);

        return segment?.SegmentTypeId == (int)SegmentType.Static ? segment : null;
    }

    /// <summary>
    /// A saved rule may name a store deleted since: named as such, so that the rule builder does not show a bare id
    /// (saving the rule again asks for another store)
    /// </summary>
    protected virtual async Task<IList<ValueLookupItem>> WithDeletedStoresAsync(IList<ValueLookupItem> named, IList<int> storeIds)
    {
        var found = named.Select(item => item.Id).ToHashSet();
        var items = named.ToList();
        foreach (var id in storeIds.Where(id => !found.Contains(id)))
            items.Add(new ValueLookupItem(id, await FormatResourceAsync("Fields.Store.Deleted", id)));

        return items;
    }

    /// <summary>
    /// The names of soft-deleted values marked as such
    /// </summary>
    protected virtual async Task<IList<ValueLookupItem>> MarkDeletedAsync(IList<ValueLookupItem> named)
    {
        var items = new List<ValueLookupItem>(named.Count);
        foreach (var item in named)
            items.Add(item.Deleted ? item with { Name = await FormatResourceAsync("Fields.Value.Deleted", item.Name) } : item);

        return items;
    }

    #endregion

    #region Settings

    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Configure()
    {
        var model = await _segmentModelFactory.PrepareConfigurationModelAsync(null, _settings);

        return View($"{VIEW_PATH}Configure.cshtml", model);
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Configure(ConfigurationModel model)
    {
        model.PurchasePaymentStatusIds ??= [];
        model.ExcludedOrderStatusIds ??= [];
        await LocalizeInvalidValueErrorsAsync<ConfigurationModel>();

        if (model.PurchasePaymentStatusIds.Count == 0)
            ModelState.AddModelError(nameof(ConfigurationModel.PurchasePaymentStatusIds), await GetResourceAsync("Configuration.PurchasePaymentStatuses.Required"));
        if (model.PurchasePaymentStatusIds.Any(id => !Enum.IsDefined(typeof(Nop.Core.Domain.Payments.PaymentStatus), id)))
            ModelState.AddModelError(nameof(ConfigurationModel.PurchasePaymentStatusIds), await GetResourceAsync("Configuration.Statuses.Invalid"));
        if (model.ExcludedOrderStatusIds.Any(id => !Enum.IsDefined(typeof(Nop.Core.Domain.Orders.OrderStatus), id)))
            ModelState.AddModelError(nameof(ConfigurationModel.ExcludedOrderStatusIds), await GetResourceAsync("Configuration.Statuses.Invalid"));
        if (model.RebuildIntervalMinutes is < 1 or > 7 * 24 * 60)
            ModelState.AddModelError(nameof(ConfigurationModel.RebuildIntervalMinutes), await GetResourceAsync("Configuration.RebuildIntervalMinutes.Range"));
        if (model.FullRebuildIntervalHours < 0 || model.FullRebuildIntervalHours > CustomerSegmentsDefaults.MaxFullRebuildIntervalHours)
            ModelState.AddModelError(nameof(ConfigurationModel.FullRebuildIntervalHours), await GetResourceAsync("Configuration.FullRebuildIntervalHours.Range"));
        if (model.RfmWindowDays is < 1 or > 3650)
            ModelState.AddModelError(nameof(ConfigurationModel.RfmWindowDays), await GetResourceAsync("Configuration.RfmWindowDays.Range"));
        var widgetZones = (model.WidgetZones ?? []).Where(zone => !string.IsNullOrWhiteSpace(zone)).Select(zone => zone.Trim()).ToList();
        if (widgetZones.Any(zone => !CustomerSegmentsDefaults.ShopperWidgetZones.Contains(zone, StringComparer.OrdinalIgnoreCase)))
            ModelState.AddModelError(nameof(ConfigurationModel.WidgetZones), await GetResourceAsync("Configuration.WidgetZones.Invalid"));
        else if (model.WidgetEnabled && widgetZones.Count == 0)
            ModelState.AddModelError(nameof(ConfigurationModel.WidgetZones), await GetResourceAsync("Configuration.WidgetZones.Required"));

        if (!ModelState.IsValid)
            return View($"{VIEW_PATH}Configure.cshtml", await _segmentModelFactory.PrepareConfigurationModelAsync(model, _settings));

        _settings.PurchasePaymentStatusIds = model.PurchasePaymentStatusIds.Distinct().ToList();
        _settings.ExcludedOrderStatusIds = model.ExcludedOrderStatusIds.Distinct().ToList();
        _settings.IncludeGuests = model.IncludeGuests;
        _settings.RebuildIntervalSeconds = model.RebuildIntervalMinutes * 60;
        _settings.FullRebuildIntervalHours = model.FullRebuildIntervalHours;
        _settings.RfmWindowDays = model.RfmWindowDays;
        _settings.WidgetEnabled = model.WidgetEnabled;
        _settings.WidgetZones = CustomerSegmentsDefaults.ShopperWidgetZones
            .Where(zone => widgetZones.Contains(zone, StringComparer.OrdinalIgnoreCase)).ToList();
        await _settingService.SaveSettingAsync(_settings);

        //the task's row takes the new interval; nopCommerce's scheduler reads it when the application starts
        if (await _scheduleTaskService.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType) is { } task
            && task.Seconds != _settings.RebuildIntervalSeconds)
        {
            task.Seconds = _settings.RebuildIntervalSeconds;
            await _scheduleTaskService.UpdateTaskAsync(task);
            _notificationService.WarningNotification(await GetResourceAsync("Configuration.RebuildIntervalMinutes.RestartRequired"));
        }

        _notificationService.SuccessNotification(await _localizationService.GetResourceAsync("Admin.Plugins.Saved"));

        return RedirectToAction(nameof(Configure));
    }

    #endregion

    #region List

    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> List()
    {
        var model = await _segmentModelFactory.PrepareSegmentSearchModelAsync(new SegmentSearchModel());

        return View($"{VIEW_PATH}List.cshtml", model);
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> SegmentList(SegmentSearchModel searchModel)
    {
        var model = await _segmentModelFactory.PrepareSegmentListModelAsync(searchModel);

        return Json(model);
    }

    #endregion

    #region Create / edit / delete

    /// <param name="template">A template to start from (see <see cref="ISegmentTemplateCatalog"/>); none: an empty segment</param>
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Create(string template = null)
    {
        var model = string.IsNullOrEmpty(template)
            ? await _segmentModelFactory.PrepareSegmentModelAsync(null, null)
            : await _segmentModelFactory.PrepareTemplateSegmentModelAsync(template);

        return View($"{VIEW_PATH}Create.cshtml", model);
    }

    [HttpPost, ParameterBasedOnFormName("save-continue", "continueEditing")]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Create(SegmentModel model, bool continueEditing)
    {
        var (ruleErrors, ruleJson) = await ValidateSegmentAsync(model, null);
        if (!ModelState.IsValid || ruleErrors.Count > 0)
            return await SegmentFormAsync("Create", model, null, ruleErrors);

        var now = DateTime.UtcNow;
        var segment = new Segment
        {
            Name = model.Name.Trim(),
            Description = model.Description,
            ShopperMessage = model.ShopperMessage?.Trim(),
            Active = model.Active,
            StoreId = model.StoreId,
            SegmentTypeId = model.SegmentTypeId,
            RuleJson = ruleJson,
            RuleSchemaVersion = ruleJson is null ? 0 : SegmentRule.CurrentSchemaVersion,
            CreatedOnUtc = now,
            UpdatedOnUtc = now
        };
        await _segmentService.InsertSegmentAsync(segment);
        await UpdateLocalesAsync(segment, model);

        _notificationService.SuccessNotification(await GetResourceAsync("Segments.Added"));
        await StartRebuildAsync(segment);

        return continueEditing
            ? RedirectToAction(nameof(Edit), new { id = segment.Id })
            : RedirectToAction(nameof(List));
    }

    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Edit(int id)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        var model = await _segmentModelFactory.PrepareSegmentModelAsync(null, segment, ruleErrors: await GetStoredRuleErrorsAsync(segment));

        return View($"{VIEW_PATH}Edit.cshtml", model);
    }

    [HttpPost, ParameterBasedOnFormName("save-continue", "continueEditing")]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Edit(SegmentModel model, bool continueEditing)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(model.Id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        var (ruleErrors, ruleJson) = await ValidateSegmentAsync(model, segment);
        if (!ModelState.IsValid || ruleErrors.Count > 0)
            return await SegmentFormAsync("Edit", model, segment, ruleErrors);

        var wasActive = segment.Active;
        segment.Name = model.Name.Trim();
        segment.Description = model.Description;
        segment.ShopperMessage = model.ShopperMessage?.Trim();
        segment.Active = model.Active;
        segment.StoreId = model.StoreId;
        segment.SegmentTypeId = model.SegmentTypeId;
        segment.RuleJson = ruleJson;
        segment.RuleSchemaVersion = ruleJson is null ? 0 : SegmentRule.CurrentSchemaVersion;
        segment.UpdatedOnUtc = DateTime.UtcNow;
        await _segmentService.UpdateSegmentAsync(segment);
        await UpdateLocalesAsync(segment, model);

        _notificationService.SuccessNotification(await GetResourceAsync("Segments.Updated"));
        await StartRebuildAsync(segment);
        if (wasActive != segment.Active)
            await StartDependentsRebuildAsync(segment);

        return continueEditing
            ? RedirectToAction(nameof(Edit), new { id = segment.Id })
            : RedirectToAction(nameof(List));
    }

    /// <summary>
    /// Copies the segment under the name given (see <see cref="ISegmentCopyService"/>) and opens the copy, inactive
    /// </summary>
    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Copy(int id, string name)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        if (await GetNameErrorAsync(name) is { } nameError)
        {
            _notificationService.ErrorNotification(nameError);
            return RedirectToAction(nameof(Edit), new { id });
        }

        Segment copy;
        try
        {
            copy = await _segmentCopyService.CopySegmentAsync(segment, name);
        }
        catch (SegmentRuleValidationException)
        {
            //the stored rule names something gone since (a store, a segment, a role...): the admin fixes it on the page first
            _notificationService.ErrorNotification(await GetResourceAsync("Segments.Copy.InvalidRule"));
            return RedirectToAction(nameof(Edit), new { id });
        }

        _notificationService.SuccessNotification(await GetResourceAsync("Segments.Copied"));

        return RedirectToAction(nameof(Edit), new { id = copy.Id });
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Delete(int id)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        try
        {
            await _segmentService.DeleteSegmentAsync(segment);
        }
        catch (SegmentInUseException exception)
        {
            var names = string.Join(", ", exception.ReferencingSegments.Select(referencing => referencing.Name));
            _notificationService.ErrorNotification(await FormatResourceAsync("Segments.Delete.Refused", names));
            return RedirectToAction(nameof(Edit), new { id });
        }

        _notificationService.SuccessNotification(await GetResourceAsync("Segments.Deleted"));

        return RedirectToAction(nameof(List));
    }

    #endregion

    #region Rule builder

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS, CheckPermissionAttribute.CheckPermissionResultType.Json)]
    public virtual async Task<IActionResult> Preview([FromForm] string ruleJson, [FromForm] int segmentId, [FromForm] int storeId)
    {
        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(HttpContext?.RequestAborted ?? CancellationToken.None);
        timeLimit.CancelAfter(PreviewTimeLimit);

        SegmentPreviewResult result;
        try
        {
            result = await _segmentPreviewService.PreviewAsync(ruleJson, segmentId, storeId, PreviewSampleSize, timeLimit.Token);
        }
        catch (OperationCanceledException)
        {
            return Json(new
            {
                success = false,
                timedOut = true,
                message = await GetResourceAsync("RuleBuilder.Preview.TimedOut")
            });
        }

        if (!result.IsValid)
        {
            return Json(new
            {
                success = false,
                timedOut = false,
                errors = result.Errors.Select(error => new { path = error.Path, message = error.Message })
            });
        }

        var customers = await _customerService.GetCustomersByIdsAsync(result.SampleCustomerIds.ToArray());
        var byId = customers.ToDictionary(customer => customer.Id);
        var guest = await _localizationService.GetResourceAsync("Admin.Customers.Guest");

        return Json(new
        {
            success = true,
            count = result.Count,
            members = result.SampleCustomerIds
                .Where(byId.ContainsKey)
                .Select(customerId => new
                {
                    id = customerId,
                    email = string.IsNullOrEmpty(byId[customerId].Email) ? guest : byId[customerId].Email,
                    url = Url?.Action("Edit", "Customer", new { id = customerId })
                })
        });
    }

    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS, CheckPermissionAttribute.CheckPermissionResultType.Json)]
    public virtual async Task<IActionResult> LookupValues(string source, string search, int parentId = 0, int page = 0, string ids = null)
    {
        if (!Enum.TryParse<RuleValueSource>(source, true, out var valueSource) || valueSource == RuleValueSource.None
            || !Enum.IsDefined(valueSource))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Json(new { error = await GetResourceAsync("RuleBuilder.Lookup.UnknownSource") });
        }

        if (!string.IsNullOrEmpty(ids))
        {
            var idList = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(id => int.TryParse(id, out var value) ? value : 0)
                .Where(id => id > 0)
                .Distinct()
                .Take(500)
                .ToList();
            //a rule keeps naming a product (category...) deleted since, and still selects its buyers: named as deleted; a
            //store deleted since must be replaced before the rule is saved again
            var named = valueSource == RuleValueSource.Stores
                ? await WithDeletedStoresAsync(await _segmentValueLookupService.GetByIdsAsync(valueSource, idList), idList)
                : await MarkDeletedAsync(await _segmentValueLookupService.GetNamesAsync(valueSource, idList));

            return Json(new { items = named.Select(item => new { id = item.Id, name = item.Name }), more = false });
        }

        var result = await _segmentValueLookupService.SearchAsync(valueSource, search?.Trim(), parentId, Math.Max(page, 0), LookupPageSize);

        return Json(new { items = result.Items.Select(item => new { id = item.Id, name = item.Name }), more = result.HasMore });
    }

    #endregion

    #region Members

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> MemberList(SegmentMemberSearchModel searchModel)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(searchModel.SegmentId);
        if (segment is null)
            return Json(new SegmentMemberListModel { Data = [], Draw = searchModel.Draw });

        var model = await _segmentModelFactory.PrepareSegmentMemberListModelAsync(searchModel, segment);

        return Json(model);
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> ExportMembers(int id)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        //a temporary file, not memory: a segment can have a million members; it goes away when the response is sent
        var stream = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await _segmentMemberCsvService.ExportMembersAsync(segment, stream, HttpContext.RequestAborted);
            stream.Position = 0;
        }
        catch
        {
            //no response takes the file: closing it deletes it
            await stream.DisposeAsync();
            throw;
        }

        return File(stream, "text/csv", $"segment-{segment.Id}-members-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv");
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> Rebuild(int id)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        if (segment.SegmentTypeId != (int)SegmentType.Dynamic)
        {
            _notificationService.WarningNotification(await GetResourceAsync("Segments.Rebuild.OnlyDynamic"));
            return RedirectToAction(nameof(Edit), new { id });
        }

        //runs in the background; the segment page shows its progress
        await _segmentRebuildRunService.StartAsync(segment);

        return RedirectToAction(nameof(Edit), new { id });
    }

    /// <summary>
    /// Where the segment's latest "rebuild now" is, for the progress bar of the segment page
    /// </summary>
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> RebuildProgress(int id)
    {
        var run = await _segmentRebuildRunService.GetLatestRunAsync(id);
        if (run is null)
            return Json(new { state = "none", finished = true });

        var state = (SegmentRebuildRunState)run.StateId;
        var total = Math.Max(1, run.StepsTotal);
        var stepsDone = Math.Clamp(run.StepsDone, 0, total);
        var message = state switch
        {
            SegmentRebuildRunState.Queued => await GetResourceAsync("Segments.Rebuild.Queued"),
            SegmentRebuildRunState.Running => await FormatResourceAsync(stepsDone == 0 ? "Segments.Rebuild.Step.Check" : "Segments.Rebuild.Step.Members",
                stepsDone + 1, total),
            SegmentRebuildRunState.Completed => await FormatResourceAsync("Segments.Rebuild.Done", run.Entered, run.Left),
            _ => await GetResourceAsync(string.IsNullOrEmpty(run.ErrorResource) ? "Segments.Rebuild.Failed" : run.ErrorResource)
        };

        return Json(new
        {
            state = state.ToString().ToLowerInvariant(),
            finished = state is SegmentRebuildRunState.Completed or SegmentRebuildRunState.Failed,
            stepsDone,
            stepsTotal = total,
            percent = stepsDone * 100 / total,
            message,
            entered = run.Entered,
            left = run.Left,
            finishedSecondsAgo = run.FinishedOnUtc is DateTime finishedOnUtc ? (int)Math.Max(0, (DateTime.UtcNow - finishedOnUtc).TotalSeconds) : (int?)null
        });
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> AddMembers(int id, string emails)
    {
        var segment = await GetStaticSegmentAsync(id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        if (string.IsNullOrWhiteSpace(emails))
        {
            _notificationService.WarningNotification(await GetResourceAsync("Members.Add.Empty"));
            return RedirectToAction(nameof(Edit), new { id });
        }

        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(emails));
        await NotifyImportAsync(await _staticSegmentService.ImportEmailsAsync(segment, input));

        return RedirectToAction(nameof(Edit), new { id });
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> ImportMembers(int id, IFormFile importFile)
    {
        var segment = await GetStaticSegmentAsync(id);
        if (segment is null)
            return RedirectToAction(nameof(List));

        if (importFile is null || importFile.Length == 0)
        {
            _notificationService.ErrorNotification(await _localizationService.GetResourceAsync("Admin.Common.UploadFile"));
            return RedirectToAction(nameof(Edit), new { id });
        }

        try
        {
            await using var input = importFile.OpenReadStream();
            await NotifyImportAsync(await _staticSegmentService.ImportEmailsAsync(segment, input));
        }
        catch (InvalidDataException)
        {
            //over the size limit: refused before anything changed
            _notificationService.ErrorNotification(await FormatResourceAsync("Members.Import.TooLarge",
                EmailCsvParser.MaxFileBytes / (1024 * 1024)));
        }

        return RedirectToAction(nameof(Edit), new { id });
    }

    [HttpPost]
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)]
    public virtual async Task<IActionResult> RemoveMember(int id, int segmentId)
    {
        //the grid posts the row's id: the customer
        var segment = await GetStaticSegmentAsync(segmentId);
        if (segment is null)
            return Json(new { });

        await _staticSegmentService.RemoveCustomersAsync(segment, [id]);

        return Json(new { });
    }

    protected virtual async Task NotifyImportAsync(EmailImportResult result)
    {
        _notificationService.SuccessNotification(await FormatResourceAsync("Members.Import.Report",
            result.Added, result.AlreadyMembers, result.UnknownEmails.Count, result.BadRows.Count));

        if (result.UnknownEmails.Count > 0)
        {
            _notificationService.WarningNotification(await FormatResourceAsync("Members.Import.NotFound",
                string.Join(", ", result.UnknownEmails.Take(20))));
        }

        if (result.BadRows.Count > 0)
        {
            _notificationService.WarningNotification(await FormatResourceAsync("Members.Import.Invalid",
                string.Join(", ", result.BadRows.Take(20).Select(row => row.LineNumber))));
        }

        if (result.Truncated)
            _notificationService.WarningNotification(await GetResourceAsync("Members.Import.Truncated"));
    }

    #endregion

    #region Analytics

    /// <summary>
    /// An amount of orders (in the primary store currency) as nopCommerce's admin shows order totals
    /// </summary>
    protected virtual Task<string> FormatAmountAsync(decimal amount) => _priceFormatter.FormatPriceAsync(amount, true, false);

    protected virtual async Task<object> RevenueJsonAsync(SegmentRevenueShare revenue) => new
    {
        members = revenue.Members,
        memberOrders = revenue.MemberOrders,
        memberRevenue = revenue.MemberRevenue,
        shopCustomers = revenue.ShopCustomers,
        shopOrders = revenue.ShopOrders,
        shopRevenue = revenue.ShopRevenue,
        revenueShare = revenue.RevenueShare,
        orderShare = revenue.OrderShare,
        memberAverageOrderValue = revenue.MemberAverageOrderValue,
        memberAverageOrderValueText = await FormatAmountAsync(revenue.MemberAverageOrderValue),
        shopAverageOrderValue = revenue.ShopAverageOrderValue,
        shopAverageOrderValueText = await FormatAmountAsync(revenue.ShopAverageOrderValue),
        ordersPerMember = revenue.OrdersPerMember,
        ordersPerShopCustomer = revenue.OrdersPerShopCustomer
    };

    protected virtual async Task<IList<object>> HistogramBucketsJsonAsync(IList<HistogramBucket> buckets, SegmentHistogramField field)
    {
        //amounts spent shown as the admin shows order totals
        var amounts = field == SegmentHistogramField.TotalSpent;
        var json = new List<object>();
        foreach (var bucket in buckets)
        {
            json.Add(new
            {
                from = bucket.From,
                to = bucket.To,
                members = bucket.Members,
                fromText = amounts && bucket.From is { } from ? await FormatAmountAsync(from) : null,
                toText = amounts && bucket.To is { } to ? await FormatAmountAsync(to) : null
            });
        }

        return json;
    }

    /// <param name="histogramOnly">Only the histogram: the admin changed its measure or its buckets, the other figures stay as shown</param>
    /// <param name="revenueDays">The days back the revenue share covers; 0 for all time</param>
    /// <param name="revenueOnly">Only the revenue share: the admin changed its period, the other figures stay as shown</param>
    [CheckPermission(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS, CheckPermissionAttribute.CheckPermissionResultType.Json)]
    public virtual async Task<IActionResult> Analytics(int id, string histogram = null, int? buckets = null, bool histogramOnly = false,
        int revenueDays = 0, bool revenueOnly = false)
    {
        var segment = await _segmentService.GetSegmentByIdAsync(id);
        if (segment is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Json(new { error = await GetResourceAsync("Segments.NotFound") });
        }

        if (revenueDays is < 0 or > MaxRevenueDays)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Json(new { error = await FormatResourceAsync("Analytics.Revenue.Period.Range", MaxRevenueDays) });
        }

        if (!Enum.TryParse<SegmentHistogramField>(histogram, true, out var histogramField) || !Enum.IsDefined(histogramField))
            histogramField = SegmentHistogramField.TotalSpent;

        var now = DateTime.UtcNow;
        var revenueFromUtc = revenueDays > 0 ? now.AddDays(-revenueDays) : (DateTime?)null;
        if (revenueOnly)
            return Json(new { revenue = await RevenueJsonAsync(await _segmentAnalyticsService.GetRevenueShareAsync(segment.Id, segment.StoreId, revenueFromUtc, null)) });

        //the number of bars matters to the histogram only: a wrong one does not hold up the other figures
        if (buckets is < HistogramBucketLimits.Min or > HistogramBucketLimits.Max)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Json(new { error = await FormatResourceAsync("Analytics.Histogram.Buckets.Range", HistogramBucketLimits.Min, HistogramBucketLimits.Max) });
        }


        var histogramBuckets = await _segmentAnalyticsService.GetHistogramAsync(segment.Id, segment.StoreId, histogramField, now, buckets);
        var histogramJson = new
        {
            field = histogramField.ToString(),
            bucketCount = buckets,
            buckets = await HistogramBucketsJsonAsync(histogramBuckets, histogramField)
        };
        if (histogramOnly)
            return Json(new { histogram = histogramJson });

        var size = await _segmentAnalyticsService.GetSizeOverTimeAsync(segment.Id, now.AddDays(-AnalyticsHistoryDays), now);
        var revenue = await _segmentAnalyticsService.GetRevenueShareAsync(segment.Id, segment.StoreId, revenueFromUtc, null);
        var rfm = await _segmentAnalyticsService.GetRfmGridAsync(segment.Id, segment.StoreId);
        var overlap = await _segmentAnalyticsService.GetOverlapAsync(segment.Id);

        var others = (await _segmentService.GetSegmentsByIdsAsync(overlap.Select(item => item.SegmentId).ToList()))
            .ToDictionary(other => other.Id, other => other.Name);

        var rfmRows = Enumerable.Range(0, rfm.Counts.GetLength(0))
            .Select(r => Enumerable.Range(0, rfm.Counts.GetLength(1)).Select(f => rfm.Counts[r, f]).ToArray())
            .ToArray();

        return Json(new
        {
            size = size.Select(point => new { date = point.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), members = point.Members }),
            revenue = await RevenueJsonAsync(revenue),
            rfm = new { counts = rfmRows, withoutPurchases = rfm.WithoutPurchases, windowDays = rfm.WindowDays },
            histogram = histogramJson,
            overlap = overlap
                .Where(item => others.ContainsKey(item.SegmentId))
                .Select(item => new
                {
                    segmentId = item.SegmentId,
                    name = others[item.SegmentId],
                    shared = item.SharedMembers,
                    //made here with the id given: a base made on the edit page would keep the page's own id (/Edit/4/8)
                    url = Url.Action(nameof(Edit), new { id = item.SegmentId })
                })
        });
    }

    #endregion
}
