using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Helpers;
using Nop.Services.Localization;
using Nop.Services.Stores;
using Nop.Web.Framework.Factories;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// Prepares the models of the plugin's admin pages
/// </summary>
public class SegmentModelFactory : ISegmentModelFactory
{
    #region Fields

    protected readonly AdminAreaSettings _adminAreaSettings;
    protected readonly IDatabaseConfigurationAdvisor _databaseConfigurationAdvisor;
    protected readonly IDateTimeHelper _dateTimeHelper;
    protected readonly ILocalizationService _localizationService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;
    protected readonly ILocalizedModelFactory _localizedModelFactory;
    protected readonly IPluginLimitsAdvisor _pluginLimitsAdvisor;
    protected readonly IRuleFieldCatalog _ruleFieldCatalog;
    protected readonly ISegmentDiscountUsageService _segmentDiscountUsageService;
    protected readonly ISegmentMemberSearchService _segmentMemberSearchService;
    protected readonly ISegmentMembershipService _segmentMembershipService;
    protected readonly ISegmentPendingCustomerService _segmentPendingCustomerService;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;
    protected readonly ISegmentService _segmentService;
    protected readonly ISegmentTemplateCatalog _segmentTemplateCatalog;
    protected readonly ISegmentValueLookupService _segmentValueLookupService;
    protected readonly IStoreService _storeService;

    #endregion

    #region Ctor

    public SegmentModelFactory(AdminAreaSettings adminAreaSettings,
        IDatabaseConfigurationAdvisor databaseConfigurationAdvisor,
        IDateTimeHelper dateTimeHelper,
        ILocalizationService localizationService,
        ILocaleResourceFormatter localeResourceFormatter,
        ILocalizedModelFactory localizedModelFactory,
        IPluginLimitsAdvisor pluginLimitsAdvisor,
        IRuleFieldCatalog ruleFieldCatalog,
        ISegmentDiscountUsageService segmentDiscountUsageService,
        ISegmentMemberSearchService segmentMemberSearchService,
        ISegmentMembershipService segmentMembershipService,
        ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentRuleValidator segmentRuleValidator,
        ISegmentService segmentService,
        ISegmentTemplateCatalog segmentTemplateCatalog,
        ISegmentValueLookupService segmentValueLookupService,
        IStoreService storeService)
    {
        _adminAreaSettings = adminAreaSettings;
        _databaseConfigurationAdvisor = databaseConfigurationAdvisor;
        _dateTimeHelper = dateTimeHelper;
        _localizationService = localizationService;
        _localeResourceFormatter = localeResourceFormatter;
        _localizedModelFactory = localizedModelFactory;
        _pluginLimitsAdvisor = pluginLimitsAdvisor;
        _ruleFieldCatalog = ruleFieldCatalog;
        _segmentDiscountUsageService = segmentDiscountUsageService;
        _segmentMemberSearchService = segmentMemberSearchService;
        _segmentMembershipService = segmentMembershipService;
        _segmentPendingCustomerService = segmentPendingCustomerService;
        _segmentRuleSerializer = segmentRuleSerializer;
        _segmentRuleValidator = segmentRuleValidator;
        _segmentService = segmentService;
        _segmentTemplateCatalog = segmentTemplateCatalog;
        _segmentValueLookupService = segmentValueLookupService;
        _storeService = storeService;
    }

    #endregion

    #region Utilities

    /// <summary>
    /// Most customer attributes the rule builder offers as keys (a shop has a handful; a condition on one beyond them
    /// shows its id)
    /// </summary>
    public const int MaxCustomerAttributes = 1000;

    protected static readonly JsonSerializerOptions CatalogJsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null
    };

    protected static string Resource(string name) => $"{CustomerSegmentsDefaults.LocaleResourcePrefix}.{name}";

    protected static string CamelCase(string value) => JsonNamingPolicy.CamelCase.ConvertName(value);

    protected virtual int DefaultGridPageSize() =>
        _adminAreaSettings.DefaultGridPageSize > 0 ? _adminAreaSettings.DefaultGridPageSize : 15;

    protected virtual void SetGridPageSize(Nop.Web.Framework.Models.BaseSearchModel searchModel)
    {
        //what BaseSearchModel.SetGridPageSize does, from the admin area settings
        searchModel.Length = DefaultGridPageSize();
        searchModel.AvailablePageSizes = _adminAreaSettings.GridPageSizes;
    }

    /// <summary>
    /// The page size a grid request gets: the length it posts, within the sizes the admin area offers (a length of
    /// "all" or a million would read a whole segment of members into one response)
    /// </summary>
    protected virtual int PageSize(Nop.Web.Framework.Models.BaseSearchModel searchModel)
    {
        var largest = (_adminAreaSettings.GridPageSizes ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(size => int.TryParse(size, out var value) ? value : 0)
            .Append(DefaultGridPageSize())
            .Max();

        return searchModel.Length > 0 ? Math.Min(searchModel.Length, largest) : DefaultGridPageSize();
    }

    protected virtual int PageIndex(Nop.Web.Framework.Models.BaseSearchModel searchModel) =>
        Math.Max(searchModel.Start, 0) / PageSize(searchModel);

    /// <summary>
    /// The name shown for a store nopCommerce no longer lists (deleted): a segment limited to it stays limited to it
    /// </summary>
    protected virtual Task<string> GetDeletedStoreNameAsync(int storeId) =>
        _localeResourceFormatter.FormatAsync(Resource("Fields.Store.Deleted"), storeId);

    protected virtual async Task<IList<SelectListItem>> PrepareStoresAsync(int selectedStoreId)
    {
        var items = new List<SelectListItem>
        {
            new(await _localizationService.GetResourceAsync("Admin.Common.All"), "0", selectedStoreId == 0)
        };

        foreach (var store in await _storeService.GetAllStoresAsync())
            items.Add(new SelectListItem(store.Name, store.Id.ToString(), store.Id == selectedStoreId));

        //the selected store is offered even when deleted: a select without it would post "All"
        if (selectedStoreId > 0 && !items.Any(item => item.Selected))
            items.Add(new SelectListItem(await GetDeletedStoreNameAsync(selectedStoreId), selectedStoreId.ToString(), true));

        return items;
    }

    protected virtual async Task<string> GetSegmentTypeNameAsync(int segmentTypeId) =>
        await _localizationService.GetResourceAsync(Resource($"SegmentType.{(SegmentType)segmentTypeId}"));

    protected virtual async Task<DateTime> ToUserTimeAsync(DateTime utc) =>
        await _dateTimeHelper.ConvertToUserTimeAsync(utc, DateTimeKind.Utc);

    protected virtual async Task<RuleBuilderModel> PrepareRuleBuilderModelAsync(int segmentId, string ruleJson,
        IReadOnlyList<RuleValidationError> ruleErrors)
    {
        if (string.IsNullOrWhiteSpace(ruleJson))
            ruleJson = JsonSerializer.Serialize(new SegmentRule());

        //the rule is sent as a JSON value, not a string, so the page never holds malformed JSON it could break on
        JsonElement rule;
        try
        {
            rule = JsonDocument.Parse(ruleJson).RootElement;
        }
        catch (JsonException)
        {
            rule = JsonDocument.Parse(JsonSerializer.Serialize(new SegmentRule())).RootElement;
        }

        return new RuleBuilderModel
        {
            SegmentId = segmentId,
            RuleJson = JsonSerializer.Serialize(rule),
            CatalogJson = await PrepareRuleCatalogJsonAsync(),
            ErrorsJson = JsonSerializer.Serialize((ruleErrors ?? []).Select(error => new { path = error.Path, message = error.Message }))
        };
    }

    #endregion

    #region Methods

    public virtual async Task<SegmentSearchModel> PrepareSegmentSearchModelAsync(SegmentSearchModel searchModel)
    {
        ArgumentNullException.ThrowIfNull(searchModel);

        searchModel.AvailableStores = await PrepareStoresAsync(searchModel.SearchStoreId);
        searchModel.HideStoresList = searchModel.AvailableStores.Count <= 2;
        SetGridPageSize(searchModel);

        return searchModel;
    }

    public virtual async Task<SegmentListModel> PrepareSegmentListModelAsync(SegmentSearchModel searchModel)
    {
        ArgumentNullException.ThrowIfNull(searchModel);

        var segments = await _segmentService.SearchSegmentsAsync(searchModel.SearchName, searchModel.SearchStoreId,
            PageIndex(searchModel), PageSize(searchModel));
        var memberCounts = await _segmentMembershipService.CountMembersOfAllSegmentsAsync();
        var storeNames = (await _storeService.GetAllStoresAsync()).ToDictionary(store => store.Id, store => store.Name);
        var allStores = await _localizationService.GetResourceAsync("Admin.Common.All");

        var data = new List<SegmentModel>();
        foreach (var segment in segments)
        {
            //the rebuilds and the events skip a dynamic segment whose stored rule no longer validates (its members stay)
            var ruleErrors = segment.SegmentTypeId == (int)SegmentType.Dynamic
                ? await _segmentRuleValidator.ValidateStoredAsync(segment)
                : [];

            data.Add(new SegmentModel
            {
                Id = segment.Id,
                Name = segment.Name,
                Description = segment.Description,
                Active = segment.Active,
                SegmentTypeId = segment.SegmentTypeId,
                SegmentTypeName = await GetSegmentTypeNameAsync(segment.SegmentTypeId),
                IsDynamic = segment.SegmentTypeId == (int)SegmentType.Dynamic,
                StoreId = segment.StoreId,
                StoreName = segment.StoreId == 0 ? allStores
                    : storeNames.TryGetValue(segment.StoreId, out var storeName) ? storeName : await GetDeletedStoreNameAsync(segment.StoreId),
                MemberCount = memberCounts.TryGetValue(segment.Id, out var count) ? count : 0,
                LastRebuiltOn = segment.LastRebuiltOnUtc is DateTime rebuilt ? await ToUserTimeAsync(rebuilt) : null,
                CreatedOn = await ToUserTimeAsync(segment.CreatedOnUtc),
                UpdatedOn = await ToUserTimeAsync(segment.UpdatedOnUtc),
                InvalidRule = ruleErrors.Count > 0,
                InvalidRuleMessage = ruleErrors.FirstOrDefault()?.Message
            });
        }

        return new SegmentListModel
        {
            Data = data,
            Draw = searchModel.Draw,
            RecordsTotal = segments.TotalCount,
            RecordsFiltered = segments.TotalCount
        };
    }

    public virtual async Task<SegmentModel> PrepareSegmentModelAsync(SegmentModel model, Segment segment,
        bool excludeProperties = false, IReadOnlyList<RuleValidationError> ruleErrors = null)
    {
        Func<SegmentLocalizedModel, int, Task> localizedModelConfiguration = null;

        if (segment is not null)
        {
            localizedModelConfiguration = async (locale, languageId) =>
                locale.ShopperMessage = await _localizationService.GetLocalizedAsync(segment, entity => entity.ShopperMessage, languageId, false, false);

            if (model is null || !excludeProperties)
            {
                model = new SegmentModel
                {
                    Id = segment.Id,
                    Name = segment.Name,
                    Description = segment.Description,
                    ShopperMessage = segment.ShopperMessage,
                    Active = segment.Active,
                    StoreId = segment.StoreId,
                    SegmentTypeId = segment.SegmentTypeId,
                    RuleJson = segment.RuleJson
                };
            }

            model.Id = segment.Id;
            model.MemberCount = await _segmentMembershipService.CountMembersAsync(segment.Id);
            model.LastRebuiltOn = segment.LastRebuiltOnUtc is DateTime rebuilt ? await ToUserTimeAsync(rebuilt) : null;
            model.CreatedOn = await ToUserTimeAsync(segment.CreatedOnUtc);
            model.UpdatedOn = await ToUserTimeAsync(segment.UpdatedOnUtc);
            model.DiscountUsages = await _segmentDiscountUsageService.GetUsagesAsync(segment.Id);
            model.ReferencingSegments = (await _segmentService.GetReferencingSegmentsAsync(segment.Id))
                .Select(referencing => new SegmentReferenceModel(referencing.Id, referencing.Name))
                .ToList();

            model.MemberSearchModel = new SegmentMemberSearchModel { SegmentId = segment.Id };
            SetGridPageSize(model.MemberSearchModel);
        }

        model ??= new SegmentModel
        {
            Active = true,
            SegmentTypeId = (int)SegmentType.Dynamic
        };

        if (!Enum.IsDefined(typeof(SegmentType), model.SegmentTypeId))
            model.SegmentTypeId = (int)SegmentType.Dynamic;

        model.IsDynamic = model.SegmentTypeId == (int)SegmentType.Dynamic;
        model.SegmentTypeName = await GetSegmentTypeNameAsync(model.SegmentTypeId);
        model.AvailableSegmentTypes = [];
        foreach (var type in Enum.GetValues<SegmentType>())
        {
            model.AvailableSegmentTypes.Add(new SelectListItem(await GetSegmentTypeNameAsync((int)type),
                ((int)type).ToString(), (int)type == model.SegmentTypeId));
        }

        //the posted translations stay as they were typed when the page is shown again
        if (!excludeProperties)
            model.Locales = await _localizedModelFactory.PrepareLocalizedModelsAsync(localizedModelConfiguration);

        model.AvailableStores = await PrepareStoresAsync(model.StoreId);
        model.HideStoresList = model.AvailableStores.Count <= 2;

        model.RuleErrors = (ruleErrors ?? []).Select(error => new RuleErrorModel(error.Path, error.Message)).ToList();
        model.RuleBuilder = await PrepareRuleBuilderModelAsync(model.Id, model.RuleJson, ruleErrors);

        if (segment is null)
            model.Templates = await PrepareTemplatesAsync();

        return model;
    }

    public virtual async Task<SegmentModel> PrepareTemplateSegmentModelAsync(string templateName)
    {
        if (_segmentTemplateCatalog.GetTemplate(templateName) is not { } template)
            return await PrepareSegmentModelAsync(null, null);

        var model = new SegmentModel
        {
            Name = await _localizationService.GetResourceAsync(Resource(template.NameResource)),
            Description = await _localizationService.GetResourceAsync(Resource(template.DescriptionResource)),
            Active = true,
            SegmentTypeId = (int)SegmentType.Dynamic,
            RuleJson = _segmentRuleSerializer.Serialize(template.Rule)
        };

        return await PrepareSegmentModelAsync(model, null);
    }

    /// <summary>
    /// The templates a new segment can start from, named in the admin's language
    /// </summary>
    protected virtual async Task<IList<SegmentTemplateModel>> PrepareTemplatesAsync()
    {
        var templates = new List<SegmentTemplateModel>();
        foreach (var template in _segmentTemplateCatalog.GetTemplates())
        {
            templates.Add(new SegmentTemplateModel(template.SystemName,
                await _localizationService.GetResourceAsync(Resource(template.NameResource)),
                await _localizationService.GetResourceAsync(Resource(template.DescriptionResource))));
        }

        return templates;
    }

    public virtual async Task<SegmentMemberListModel> PrepareSegmentMemberListModelAsync(SegmentMemberSearchModel searchModel, Segment segment)
    {
        ArgumentNullException.ThrowIfNull(searchModel);
        ArgumentNullException.ThrowIfNull(segment);

        var members = await _segmentMemberSearchService.SearchMembersAsync(segment.Id, searchModel.SearchEmail,
            PageIndex(searchModel), PageSize(searchModel));

        var data = new List<SegmentMemberModel>();
        foreach (var member in members)
        {
            data.Add(new SegmentMemberModel
            {
                Id = member.CustomerId,
                Email = string.IsNullOrEmpty(member.Email)
                    ? await _localizationService.GetResourceAsync("Admin.Customers.Guest")
                    : member.Email,
                FullName = string.Join(' ', new[] { member.FirstName, member.LastName }.Where(part => !string.IsNullOrWhiteSpace(part))),
                EnteredOn = await ToUserTimeAsync(member.EnteredOnUtc)
            });
        }

        return new SegmentMemberListModel
        {
            Data = data,
            Draw = searchModel.Draw,
            RecordsTotal = members.TotalCount,
            RecordsFiltered = members.TotalCount
        };
    }

    /// <summary>
    /// The month names of the admin's language in the Gregorian calendar, whose months the birth month rule compares
    /// (Persian and Arabic cultures default to their own calendars)
    /// </summary>
    protected static System.Globalization.DateTimeFormatInfo GregorianMonthNames()
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        if (culture.Calendar is System.Globalization.GregorianCalendar)
            return culture.DateTimeFormat;

        var gregorian = culture.OptionalCalendars.OfType<System.Globalization.GregorianCalendar>().FirstOrDefault();
        if (gregorian is null)
            return System.Globalization.CultureInfo.InvariantCulture.DateTimeFormat;

        var format = (System.Globalization.DateTimeFormatInfo)culture.DateTimeFormat.Clone();
        format.Calendar = gregorian;
        return format;
    }

    public virtual async Task<string> PrepareRuleCatalogJsonAsync()
    {
        var fields = _ruleFieldCatalog.GetFields();

        var categories = new List<object>();
        foreach (var category in fields.GroupBy(field => field.Category).OrderBy(group => group.Key))
        {
            var categoryFields = new List<object>();
            foreach (var field in category)
            {
                categoryFields.Add(new
                {
                    name = field.Name,
                    label = await _localizationService.GetResourceAsync(field.ResourceKey),
                    hint = await _localizationService.GetResourceAsync($"{field.ResourceKey}.Hint"),
                    dataType = CamelCase(field.DataType.ToString()),
                    operators = field.Operators,
                    valueSource = CamelCase(field.ValueSource.ToString()),
                    hasPeriod = field.HasPeriod,
                    hasKey = field.HasKey,
                    keySource = CamelCase(field.KeySource.ToString())
                });
            }

            categories.Add(new
            {
                key = CamelCase(category.Key.ToString()),
                name = await _localizationService.GetResourceAsync(Resource($"Rules.Category.{category.Key}")),
                fields = categoryFields
            });
        }

        var operators = new Dictionary<string, string>();
        foreach (var op in fields.SelectMany(field => field.Operators).Distinct())
            operators[op] = await _localizationService.GetResourceAsync(Resource($"Rules.Operator.{op}"));

        var texts = new Dictionary<string, string>();
        foreach (var key in LocaleResources.RuleBuilderTextKeys)
            texts[key] = await _localizationService.GetResourceAsync(Resource($"RuleBuilder.{key}"));

        //small fixed lists go with the catalog; the others are looked up as the admin types
        var options = new Dictionary<string, object>
        {
            [CamelCase(nameof(RuleValueSource.Genders))] = new[]
            {
                new { id = "M", name = await _localizationService.GetResourceAsync("Admin.Customers.Customers.Fields.Gender.Male") },
                new { id = "F", name = await _localizationService.GetResourceAsync("Admin.Customers.Customers.Fields.Gender.Female") },
                new { id = "N", name = await _localizationService.GetResourceAsync("Admin.Customers.Customers.Fields.Gender.Neutral") }
            },
            [CamelCase(nameof(RuleValueSource.Months))] = Enumerable.Range(1, 12)
                .Select(month => new { id = month, name = GregorianMonthNames().GetMonthName(month) })
                .ToArray()
        };
        var rfmGroups = new List<object>();
        foreach (var group in RfmGroups.All)
            rfmGroups.Add(new { id = group, name = await _localizationService.GetResourceAsync(Resource($"Rules.RfmGroup.{group}")) });
        options[CamelCase(nameof(RuleValueSource.RfmGroups))] = rfmGroups;

        //the keys of the customer attribute conditions: the shop's few customer attributes, by name
        if (fields.Any(field => field.KeySource == RuleValueSource.CustomerAttributes))
        {
            var attributes = await _segmentValueLookupService.SearchAsync(RuleValueSource.CustomerAttributes, null, 0, 0, MaxCustomerAttributes);
            options[CamelCase(nameof(RuleValueSource.CustomerAttributes))] = (attributes?.Items ?? [])
                .Select(attribute => new { id = attribute.Id, name = attribute.Name })
                .ToArray();
        }

        return JsonSerializer.Serialize(new { categories, operators, options, texts }, CatalogJsonOptions);
    }

    public virtual async Task<ConfigurationModel> PrepareConfigurationModelAsync(ConfigurationModel model, CustomerSegmentsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        model ??= new ConfigurationModel
        {
            PurchasePaymentStatusIds = settings.PurchasePaymentStatusIds.ToList(),
            ExcludedOrderStatusIds = settings.ExcludedOrderStatusIds.ToList(),
            IncludeGuests = settings.IncludeGuests,
            RebuildIntervalMinutes = Math.Max(1, settings.RebuildIntervalSeconds / 60),
            FullRebuildIntervalHours = settings.FullRebuildIntervalHours,
            RfmWindowDays = settings.RfmWindowDays,
            WidgetEnabled = settings.WidgetEnabled,
            WidgetZones = (settings.WidgetZones ?? []).ToList()
        };

        model.QueuedChanges = await _segmentPendingCustomerService.CountAsync();
        model.SuggestPreparedStatements = _databaseConfigurationAdvisor.SuggestsPreparedStatements();
        model.SuggestPlainTransactions = _databaseConfigurationAdvisor.SuggestsPlainTransactions();
        model.PluginLimited = await _pluginLimitsAdvisor.IsLimitedAsync();
        model.WidgetZones ??= [];
        model.AvailableWidgetZones = [];
        foreach (var zone in CustomerSegmentsDefaults.ShopperWidgetZones)
        {
            model.AvailableWidgetZones.Add(new SelectListItem(
                $"{await _localizationService.GetResourceAsync(Resource($"Configuration.WidgetZones.{zone}"))} ({zone})",
                zone, model.WidgetZones.Contains(zone, StringComparer.OrdinalIgnoreCase)));
        }

        model.AvailablePaymentStatuses = [];
        foreach (var status in Enum.GetValues<PaymentStatus>())
        {
            model.AvailablePaymentStatuses.Add(new SelectListItem(
                await _localizationService.GetResourceAsync($"Enums.Nop.Core.Domain.Payments.PaymentStatus.{status}"),
                ((int)status).ToString(), model.PurchasePaymentStatusIds.Contains((int)status)));
        }

        model.AvailableOrderStatuses = [];
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            model.AvailableOrderStatuses.Add(new SelectListItem(
                await _localizationService.GetResourceAsync($"Enums.Nop.Core.Domain.Orders.OrderStatus.{status}"),
                ((int)status).ToString(), model.ExcludedOrderStatusIds.Contains((int)status)));
        }

        return model;
    }

    public virtual async Task<CustomerSegmentsCardModel> PrepareCustomerSegmentsCardModelAsync(int customerId)
    {
        var model = new CustomerSegmentsCardModel { CustomerId = customerId };
        if (customerId <= 0)
            return model;

        var current = (await _segmentMembershipService.GetHistoryOfCustomerAsync(customerId))
            .Where(membership => membership.LeftOnUtc is null)
            .ToList();
        if (current.Count == 0)
            return model;

        var segments = (await _segmentService.GetSegmentsByIdsAsync(current.Select(membership => membership.SegmentId).Distinct().ToList()))
            .ToDictionary(segment => segment.Id);

        foreach (var membership in current.OrderBy(membership => segments.GetValueOrDefault(membership.SegmentId)?.Name))
        {
            if (!segments.TryGetValue(membership.SegmentId, out var segment))
                continue;

            model.Segments.Add(new CustomerSegmentItemModel(segment.Id, segment.Name,
                segment.SegmentTypeId == (int)SegmentType.Dynamic, await ToUserTimeAsync(membership.EnteredOnUtc)));
        }

        return model;
    }

    #endregion
}
