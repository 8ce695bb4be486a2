using System.Text.Json;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Helpers;
using Nop.Services.Localization;
using Nop.Services.Stores;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

public class SegmentModelFactoryTests
{
    private AdminAreaSettings _adminAreaSettings;
    private Mock<IDateTimeHelper> _dateTimeHelper;
    private Mock<ILocalizationService> _localizationService;
    private Mock<IRuleFieldCatalog> _catalog;
    private Mock<Nop.Web.Framework.Factories.ILocalizedModelFactory> _localizedModelFactory;
    private Mock<ISegmentDiscountUsageService> _discountUsage;
    private Mock<ISegmentMemberSearchService> _memberSearch;
    private Mock<ISegmentMembershipService> _membershipService;
    private Mock<ISegmentPendingCustomerService> _pendingCustomers;
    private Mock<IDatabaseConfigurationAdvisor> _databaseAdvisor;
    private Mock<Nop.Plugin.Misc.CustomerSegments.Services.Discounts.IPluginLimitsAdvisor> _pluginLimits;
    private Mock<ISegmentService> _segmentService;
    private Mock<IStoreService> _storeService;
    private Mock<ISegmentValueLookupService> _lookups;
    private SegmentRuleValidator _validator;
    private Mock<ISegmentRuleValidator> _ruleValidator;
    private SegmentModelFactory _factory;

    [SetUp]
    public void SetUp()
    {
        _adminAreaSettings = new AdminAreaSettings { DefaultGridPageSize = 25, GridPageSizes = "10, 25, 50" };
        _dateTimeHelper = new Mock<IDateTimeHelper>();
        //the admin's time zone is two hours ahead
        _dateTimeHelper.Setup(d => d.ConvertToUserTimeAsync(It.IsAny<DateTime>(), DateTimeKind.Utc)).ReturnsAsync((DateTime dt, DateTimeKind _) => dt.AddHours(2));
        _localizationService = new Mock<ILocalizationService>();
        _localizationService.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => $"[{key}]");
        _catalog = new Mock<IRuleFieldCatalog>();
        _catalog.Setup(c => c.GetFields()).Returns(
        [
            new RuleFieldDescriptor
            {
                Name = "orders.count", Category = RuleFieldCategory.Behaviour, DataType = RuleDataType.Number,
                Operators = [RuleOperators.GreaterThanOrEqual, RuleOperators.Between], ValueSource = RuleValueSource.None,
                HasPeriod = true, ResourceKey = "Plugins.Misc.CustomerSegments.Fields.Orders.Count"
            },
            new RuleFieldDescriptor
            {
                Name = "address.country", Category = RuleFieldCategory.Geographic, DataType = RuleDataType.Choice,
                Operators = [RuleOperators.In, RuleOperators.NotIn], ValueSource = RuleValueSource.StateProvinces,
                ResourceKey = "Plugins.Misc.CustomerSegments.Fields.Address.Country"
            },
            new RuleFieldDescriptor
            {
                Name = "customer.gender", Category = RuleFieldCategory.Demographic, DataType = RuleDataType.Choice,
                Operators = [RuleOperators.Equal], ValueSource = RuleValueSource.Genders,
                ResourceKey = "Plugins.Misc.CustomerSegments.Fields.Customer.Gender"
            }
        ]);
        _discountUsage = new Mock<ISegmentDiscountUsageService>();
        _discountUsage.Setup(d => d.GetUsagesAsync(It.IsAny<int>())).ReturnsAsync([]);
        _memberSearch = new Mock<ISegmentMemberSearchService>();
        _membershipService = new Mock<ISegmentMembershipService>();
        _pendingCustomers = new Mock<ISegmentPendingCustomerService>();
        _databaseAdvisor = new Mock<IDatabaseConfigurationAdvisor>();
        _pluginLimits = new Mock<Nop.Plugin.Misc.CustomerSegments.Services.Discounts.IPluginLimitsAdvisor>();
        //no segment exists unless a test says so
        _segmentService = new Mock<ISegmentService>().SetupSegments(_ => null);
        _segmentService.Setup(s => s.GetReferencingSegmentsAsync(It.IsAny<int>())).ReturnsAsync([]);
        _storeService = new Mock<IStoreService>();
        _storeService.Setup(s => s.GetAllStoresAsync()).ReturnsAsync([new Store { Id = 1, Name = "Main" }, new Store { Id = 2, Name = "Outlet" }]);

        //nopCommerce's localized model factory: one locale per language (2 and 3 besides the standard), filled by the configuration
        _localizedModelFactory = new Mock<Nop.Web.Framework.Factories.ILocalizedModelFactory>();
        _localizedModelFactory.Setup(f => f.PrepareLocalizedModelsAsync(It.IsAny<Func<SegmentLocalizedModel, int, Task>>()))
            .Returns(async (Func<SegmentLocalizedModel, int, Task> configure) =>
            {
                var locales = new List<SegmentLocalizedModel>();
                foreach (var languageId in new[] { 2, 3 })
                {
                    var locale = new SegmentLocalizedModel { LanguageId = languageId };
                    if (configure != null)
                        await configure(locale, languageId);
                    locales.Add(locale);
                }
                return (IList<SegmentLocalizedModel>)locales;
            });

        //the validator the rebuilds and the edit page use, over the full field catalog: roles, products ... 1 to 2000 exist
        //(a rule saved before one of them was deleted still runs), segments as the segment service returns them
        _lookups = new Mock<ISegmentValueLookupService>();
        _lookups.Setup(l => l.GetExistingIdsAsync(It.IsAny<RuleValueSource>(), It.IsAny<IList<int>>()))
            .ReturnsAsync((RuleValueSource _, IList<int> ids) => ids.Where(id => id is >= 1 and <= 2000).ToHashSet());
        _validator = new SegmentRuleValidator(new RuleFieldCatalog(), new SegmentRuleSerializer(), _segmentService.Object,
            _localizationService.Object, LocaleResourceFormatters.Over(_localizationService.Object), _lookups.Object);
        _ruleValidator = new Mock<ISegmentRuleValidator>();
        _ruleValidator.Setup(v => v.ValidateStoredAsync(It.IsAny<Segment>())).Returns((Segment segment) => _validator.ValidateStoredAsync(segment));

        _factory = new SegmentModelFactory(_adminAreaSettings, _databaseAdvisor.Object, _dateTimeHelper.Object, _localizationService.Object, LocaleResourceFormatters.Over(_localizationService.Object), _localizedModelFactory.Object, _pluginLimits.Object, _catalog.Object,
            _discountUsage.Object, _memberSearch.Object, _membershipService.Object, _pendingCustomers.Object, new SegmentRuleSerializer(), _ruleValidator.Object, _segmentService.Object,
            new SegmentTemplateCatalog(), _lookups.Object, _storeService.Object);
    }

    [Test]
    public async Task SearchModelOffersAllStoresAndTheAdminPageSize()
    {
        var model = await _factory.PrepareSegmentSearchModelAsync(new SegmentSearchModel { SearchStoreId = 2 });

        Assert.That(model.AvailableStores.Select(s => s.Value), Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(model.AvailableStores.Single(s => s.Selected).Text, Is.EqualTo("Outlet"));
        Assert.That(model.HideStoresList, Is.False);
        Assert.That(model.Length, Is.EqualTo(25));
        Assert.That(model.AvailablePageSizes, Is.EqualTo("10, 25, 50"));
    }

    [Test]
    public async Task ListModelPagesAndFillsTheColumns()
    {
        _segmentService.Setup(s => s.SearchSegmentsAsync("vip", 1, 2, 10)).ReturnsAsync(new PagedList<Segment>(
        [
            new Segment { Id = 7, Name = "VIP", SegmentTypeId = (int)SegmentType.Dynamic, Active = true, StoreId = 1,
                LastRebuiltOnUtc = new DateTime(2026, 1, 1, 10, 0, 0), CreatedOnUtc = new DateTime(2025, 1, 1) },
            new Segment { Id = 8, Name = "VIP list", SegmentTypeId = (int)SegmentType.Static, StoreId = 0 }
        ], 2, 10, 42));
        _membershipService.Setup(m => m.CountMembersOfAllSegmentsAsync()).ReturnsAsync(new Dictionary<int, int> { [7] = 1500 });

        var list = await _factory.PrepareSegmentListModelAsync(new SegmentSearchModel { SearchName = "vip", SearchStoreId = 1, Start = 20, Length = 10, Draw = "3" });

        Assert.That(list.RecordsTotal, Is.EqualTo(42));
        Assert.That(list.Draw, Is.EqualTo("3"));
        var rows = list.Data.ToList();
        Assert.That(rows[0].MemberCount, Is.EqualTo(1500));
        Assert.That(rows[0].StoreName, Is.EqualTo("Main"));
        Assert.That(rows[0].SegmentTypeName, Is.EqualTo("[Plugins.Misc.CustomerSegments.SegmentType.Dynamic]"));
        Assert.That(rows[0].LastRebuiltOn, Is.EqualTo(new DateTime(2026, 1, 1, 12, 0, 0)), "in the admin's time zone");
        Assert.That(rows[1].MemberCount, Is.Zero);
        Assert.That(rows[1].StoreName, Is.EqualTo("[Admin.Common.All]"));
        Assert.That(rows[1].LastRebuiltOn, Is.Null);
        Assert.That(rows[1].IsDynamic, Is.False);
    }

    [Test]
    public async Task ASegmentOfADeletedStoreIsNotShownAsOneForAllStores()
    {
        //nopCommerce deletes a store softly (StoreService.GetAllStoresAsync no longer lists it) and leaves the
        //segments of that store as they are: limited to it, they count nowhere else
        var segment = new Segment
        {
            Id = 9, Name = "Closed outlet", SegmentTypeId = (int)SegmentType.Dynamic, StoreId = 3,
            RuleJson = "{\"version\":1,\"root\":{\"kind\":\"group\",\"match\":\"All\",\"children\":[]}}"
        };
        _segmentService.Setup(s => s.SearchSegmentsAsync(null, 0, It.IsAny<int>(), It.IsAny<int>())).ReturnsAsync(new PagedList<Segment>([segment], 0, 25, 1));
        _membershipService.Setup(m => m.CountMembersOfAllSegmentsAsync()).ReturnsAsync(new Dictionary<int, int>());

        var row = (await _factory.PrepareSegmentListModelAsync(new SegmentSearchModel())).Data.Single();
        Assert.That(row.StoreName, Is.Not.EqualTo("[Admin.Common.All]"), "the list names the segment's store");

        //a select without the segment's store selected posts its first option, "All": saving the page would make the
        //segment count in every store
        var model = await _factory.PrepareSegmentModelAsync(null, segment);
        Assert.That(model.AvailableStores.Where(store => store.Selected).Select(store => store.Value), Is.EqualTo(new[] { "3" }));
    }

    private static string RuleOf(params string[] conditions) =>
        "{\"version\":1,\"root\":{\"kind\":\"group\",\"match\":\"All\",\"children\":[" + string.Join(",", conditions) + "]}}";

    private static string Condition(string field, string op, params object[] values) =>
        JsonSerializer.Serialize(new { kind = "condition", field, @operator = op, values });

    private static Segment Dynamic(int id, string name, string ruleJson) =>
        new() { Id = id, Name = name, SegmentTypeId = (int)SegmentType.Dynamic, Active = true, RuleJson = ruleJson };

    private async Task<IList<SegmentModel>> ListAsync(params Segment[] segments)
    {
        _segmentService.Setup(s => s.SearchSegmentsAsync(null, 0, It.IsAny<int>(), It.IsAny<int>()))
            .ReturnsAsync(new PagedList<Segment>(segments, 0, 25, segments.Length));
        _membershipService.Setup(m => m.CountMembersOfAllSegmentsAsync()).ReturnsAsync(new Dictionary<int, int>());

        return (await _factory.PrepareSegmentListModelAsync(new SegmentSearchModel())).Data.ToList();
    }

    /// <summary>
    /// A dynamic segment whose stored rule no longer validates is skipped by the rebuilds and the events (its members
    /// are kept): the list says so, with what the validator found, as its edit page does. It is the validator's
    /// verdict on the stored rule, no other: a role, product ... deleted since the rule was saved is no error (the
    /// condition runs and matches no one), so that segment is not flagged; one naming a segment that was deleted, or
    /// saved under the looser limits of an older version, is
    /// </summary>
    [Test]
    public async Task TheListFlagsTheDynamicSegmentsWhoseStoredRuleNoLongerValidates()
    {
        _segmentService.SetupSegments(id => id == 3 ? new Segment { Id = 3, Name = "Newsletter" } : null);
        var valid = Dynamic(1, "Frequent buyers", RuleOf(Condition(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 5),
            Condition(RuleFields.SegmentMember, RuleOperators.In, 3)));
        var deletedSegment = Dynamic(2, "Frequent newsletter readers", RuleOf(Condition(RuleFields.SegmentMember, RuleOperators.In, 99)));
        var olderLimit = Dynamic(4, "Saved by an older version", RuleOf(Enumerable.Range(0, RuleValueLimits.MaxTableConditions + 1)
            .Select(_ => Condition(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 2)).ToArray()));
        var deletedRole = Dynamic(5, "Wholesale", RuleOf(Condition(RuleFields.CustomerRoles, RuleOperators.AnyOf, 999999)));

        var rows = (await ListAsync(valid, deletedSegment, olderLimit, deletedRole)).ToDictionary(row => row.Id);

        Assert.That(rows[1].InvalidRule, Is.False);
        Assert.That(rows[1].InvalidRuleMessage, Is.Null);
        Assert.That(rows[2].InvalidRule, Is.True, "it names a segment that was deleted");
        Assert.That(rows[2].InvalidRuleMessage, Is.EqualTo((await _validator.ValidateStoredAsync(deletedSegment))[0].Message));
        Assert.That(rows[4].InvalidRule, Is.True, "over today's limit of conditions on other tables");
        Assert.That(rows[4].InvalidRuleMessage, Is.EqualTo("[Plugins.Misc.CustomerSegments.Rules.Error.TooManyTableConditions]"));
        Assert.That((rows[5].InvalidRule, rows[5].InvalidRuleMessage), Is.EqualTo((false, (string)null)),
            "a role deleted since the rule was saved: the rebuilds still run the rule, the list does not flag it");
    }

    [Test]
    public async Task TheFlagsTextIsTheValidatorsErrorInTheAdminsLanguage()
    {
        _localizationService.Setup(l => l.GetResourceAsync(RuleErrorKeys.ConditionSubject)).ReturnsAsync("Condition {1} ({0})");
        _localizationService.Setup(l => l.GetResourceAsync(RuleFieldCatalog.FieldResourceKey(RuleFields.SegmentMember))).ReturnsAsync("Membre du segment");
        _localizationService.Setup(l => l.GetResourceAsync(RuleErrorKeys.SegmentNotFound)).ReturnsAsync("{0} : le segment {1} n'existe pas.");
        var segment = Dynamic(2, "Lecteurs", RuleOf(Condition(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 1),
            Condition(RuleFields.SegmentMember, RuleOperators.In, 99)));

        var row = (await ListAsync(segment)).Single();

        var errors = await _validator.ValidateStoredAsync(segment);
        Assert.That(row.InvalidRuleMessage, Is.EqualTo(errors[0].Message));
        Assert.That(row.InvalidRuleMessage, Is.EqualTo("Condition 2 (Membre du segment) : le segment 99 n'existe pas."));
    }

    /// <summary>
    /// Only the rows of the page asked for are validated, and static segments never: their rule (if any is left in
    /// the row) is not what makes their members
    /// </summary>
    [Test]
    public async Task OnlyTheDynamicSegmentsOfThePageAreValidated()
    {
        var dynamic = Dynamic(1, "Frequent buyers", RuleOf(Condition(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 5)));
        var @static = new Segment { Id = 2, Name = "Hand-picked", SegmentTypeId = (int)SegmentType.Static, RuleJson = "{\"root\":" };

        var rows = (await ListAsync(dynamic, @static)).ToDictionary(row => row.Id);

        Assert.That((rows[2].InvalidRule, rows[2].InvalidRuleMessage), Is.EqualTo((false, (string)null)));
        _ruleValidator.Verify(v => v.ValidateStoredAsync(dynamic), Times.Once);
        _ruleValidator.Verify(v => v.ValidateStoredAsync(It.IsAny<Segment>()), Times.Once);
    }

    [Test]
    public async Task ANewSegmentCanStartFromATemplate()
    {
        var model = await _factory.PrepareTemplateSegmentModelAsync("Vip");

        Assert.That((model.Name, model.Description, model.Active, model.IsDynamic),
            Is.EqualTo(("[Plugins.Misc.CustomerSegments.Templates.Vip]", "[Plugins.Misc.CustomerSegments.Templates.Vip.Description]", true, true)));
        var condition = JsonDocument.Parse(model.RuleBuilder.RuleJson).RootElement.GetProperty("root").GetProperty("children")[0];
        Assert.That((condition.GetProperty("field").GetString(), condition.GetProperty("operator").GetString(), condition.GetProperty("values")[0].GetInt32()),
            Is.EqualTo((RuleFields.TotalSpent, RuleOperators.GreaterThanOrEqual, 1000)));
        Assert.That(model.Locales.Select(locale => locale.LanguageId), Is.EqualTo(new[] { 2, 3 }), "the shopper message can be written in every language");
    }

    [Test]
    public async Task AnUnknownTemplateGivesAnEmptyNewSegment()
    {
        var model = await _factory.PrepareTemplateSegmentModelAsync("no such template");

        Assert.That(model.Name, Is.Null);
        Assert.That(JsonDocument.Parse(model.RuleBuilder.RuleJson).RootElement.GetProperty("root").GetProperty("children").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task OnlyANewSegmentOffersTheTemplates()
    {
        var created = await _factory.PrepareSegmentModelAsync(null, null);
        var edited = await _factory.PrepareSegmentModelAsync(null, new Segment { Id = 4, Name = "VIP", SegmentTypeId = (int)SegmentType.Static });

        Assert.That(created.Templates.Select(template => template.SystemName), Is.EqualTo(new SegmentTemplateCatalog().GetTemplates().Select(template => template.SystemName)));
        Assert.That(created.Templates[0].Name, Is.EqualTo("[Plugins.Misc.CustomerSegments.Templates.Vip]"));
        Assert.That(edited.Templates, Is.Empty);
    }

    [Test]
    public async Task ANewSegmentIsAnActiveDynamicOneWithAnEmptyRule()
    {
        var model = await _factory.PrepareSegmentModelAsync(null, null);

        Assert.That(model.Active, Is.True);
        Assert.That(model.IsDynamic, Is.True);
        Assert.That(model.AvailableSegmentTypes.Select(t => t.Value), Is.EqualTo(new[] { "10", "20" }));
        var rule = JsonDocument.Parse(model.RuleBuilder.RuleJson).RootElement;
        Assert.That(rule.GetProperty("version").GetInt32(), Is.EqualTo(SegmentRule.CurrentSchemaVersion));
        Assert.That(rule.GetProperty("root").GetProperty("children").GetArrayLength(), Is.Zero);
        Assert.That(model.RuleBuilder.ErrorsJson, Is.EqualTo("[]"));
    }

    [Test]
    public async Task AnExistingSegmentShowsItsRuleCountsDiscountsAndMemberGrid()
    {
        var segment = new Segment
        {
            Id = 5, Name = "Lapsed", SegmentTypeId = (int)SegmentType.Dynamic, StoreId = 2,
            RuleJson = "{\"version\":1,\"root\":{\"kind\":\"group\",\"match\":\"Any\",\"children\":[]}}",
            CreatedOnUtc = new DateTime(2025, 5, 1), UpdatedOnUtc = new DateTime(2025, 6, 1)
        };
        _membershipService.Setup(m => m.CountMembersAsync(5)).ReturnsAsync(321);
        _discountUsage.Setup(d => d.GetUsagesAsync(5)).ReturnsAsync([new SegmentDiscountUsageModel(3, "Win back 10%", 11)]);
        _segmentService.Setup(s => s.GetReferencingSegmentsAsync(5)).ReturnsAsync([new Segment { Id = 8, Name = "Lapsed VIPs" }]);

        var model = await _factory.PrepareSegmentModelAsync(null, segment);

        Assert.That(model.Name, Is.EqualTo("Lapsed"));
        Assert.That(model.MemberCount, Is.EqualTo(321));
        Assert.That(model.UpdatedOn, Is.EqualTo(new DateTime(2025, 6, 1, 2, 0, 0)));
        Assert.That(model.DiscountUsages.Single().DiscountName, Is.EqualTo("Win back 10%"));
        Assert.That(model.ReferencingSegments, Is.EqualTo(new[] { new SegmentReferenceModel(8, "Lapsed VIPs") }));
        Assert.That(model.MemberSearchModel.SegmentId, Is.EqualTo(5));
        Assert.That(model.MemberSearchModel.Length, Is.EqualTo(25));
        Assert.That(model.AvailableStores.Single(s => s.Selected).Value, Is.EqualTo("2"));
        Assert.That(JsonDocument.Parse(model.RuleBuilder.RuleJson).RootElement.GetProperty("root").GetProperty("match").GetString(), Is.EqualTo("Any"));
    }

    [Test]
    public async Task APostedModelKeepsWhatTheAdminTypedAndCarriesTheRuleErrors()
    {
        var segment = new Segment { Id = 5, Name = "Saved name", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{\"saved\":true}" };
        var posted = new SegmentModel { Id = 5, Name = "Typed name", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{\"posted\":true}" };

        var model = await _factory.PrepareSegmentModelAsync(posted, segment, true, [new RuleValidationError("0", "k", "Choose a field")]);

        Assert.That(model.Name, Is.EqualTo("Typed name"));
        Assert.That(model.RuleBuilder.RuleJson, Is.EqualTo("{\"posted\":true}"));
        Assert.That(model.RuleErrors.Single(), Is.EqualTo(new RuleErrorModel("0", "Choose a field")));
        var error = JsonDocument.Parse(model.RuleBuilder.ErrorsJson).RootElement[0];
        Assert.That(error.GetProperty("path").GetString(), Is.EqualTo("0"));
        Assert.That(error.GetProperty("message").GetString(), Is.EqualTo("Choose a field"));
    }

    [Test]
    public async Task TheShopperMessageIsOfferedInEveryLanguageWithItsSavedTranslation()
    {
        var segment = new Segment { Id = 5, Name = "Loyal", SegmentTypeId = (int)SegmentType.Static, ShopperMessage = "10% off" };
        _localizationService.Setup(l => l.GetLocalizedAsync(segment, It.IsAny<System.Linq.Expressions.Expression<Func<Segment, string>>>(), 2, false, false))
            .ReturnsAsync("10 % de remise");
        _localizationService.Setup(l => l.GetLocalizedAsync(segment, It.IsAny<System.Linq.Expressions.Expression<Func<Segment, string>>>(), 3, false, false))
            .ReturnsAsync((string)null);

        var model = await _factory.PrepareSegmentModelAsync(null, segment);
        var created = await _factory.PrepareSegmentModelAsync(null, null);

        Assert.That(model.ShopperMessage, Is.EqualTo("10% off"));
        Assert.That(model.Locales.Select(l => (l.LanguageId, l.ShopperMessage)), Is.EqualTo(new[] { (2, "10 % de remise"), (3, (string)null) }));
        Assert.That(created.Locales.Select(l => (l.LanguageId, l.ShopperMessage)), Is.EqualTo(new[] { (2, (string)null), (3, (string)null) }));
    }

    [Test]
    public async Task APostedModelKeepsTheTypedTranslations()
    {
        var segment = new Segment { Id = 5, Name = "Loyal", SegmentTypeId = (int)SegmentType.Static };
        var posted = new SegmentModel { Id = 5, Name = "Loyal", SegmentTypeId = (int)SegmentType.Static, Locales = [new SegmentLocalizedModel { LanguageId = 2, ShopperMessage = "typed" }] };

        var model = await _factory.PrepareSegmentModelAsync(posted, segment, true);

        Assert.That(model.Locales.Single().ShopperMessage, Is.EqualTo("typed"));
        _localizedModelFactory.Verify(f => f.PrepareLocalizedModelsAsync(It.IsAny<Func<SegmentLocalizedModel, int, Task>>()), Times.Never);
    }

    [Test]
    public async Task MalformedPostedRuleJsonNeverReachesThePage()
    {
        var model = await _factory.PrepareSegmentModelAsync(new SegmentModel { Name = "X", SegmentTypeId = 10, RuleJson = "{\"root\": </script><script>alert(1)" }, null, true);

        Assert.That(model.RuleBuilder.RuleJson, Does.Not.Contain("</script>"));
        Assert.That(JsonDocument.Parse(model.RuleBuilder.RuleJson).RootElement.GetProperty("version").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task GenderOptionsAreTheGendersNopCommerceStores()
    {
        var json = JsonDocument.Parse(await _factory.PrepareRuleCatalogJsonAsync()).RootElement;

        var genders = json.GetProperty("options").GetProperty("genders").EnumerateArray().ToList();
        Assert.That(genders.Select(o => o.GetProperty("id").GetString()), Is.EqualTo(new[] { "M", "F", "N" }));
        Assert.That(genders[2].GetProperty("name").GetString(), Is.EqualTo("[Admin.Customers.Customers.Fields.Gender.Neutral]"));
    }

    [Test]
    public async Task CatalogGroupsFieldsByCategoryWithLocalizedNames()
    {
        var json = JsonDocument.Parse(await _factory.PrepareRuleCatalogJsonAsync()).RootElement;

        var categories = json.GetProperty("categories").EnumerateArray().ToList();
        Assert.That(categories.Select(c => c.GetProperty("key").GetString()), Is.EqualTo(new[] { "demographic", "geographic", "behaviour" }));
        Assert.That(categories[2].GetProperty("name").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.Rules.Category.Behaviour]"));
        var orders = categories[2].GetProperty("fields")[0];
        Assert.That(orders.GetProperty("name").GetString(), Is.EqualTo("orders.count"));
        Assert.That(orders.GetProperty("label").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.Fields.Orders.Count]"));
        Assert.That(orders.GetProperty("hint").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.Fields.Orders.Count.Hint]"));
        Assert.That(orders.GetProperty("dataType").GetString(), Is.EqualTo("number"));
        Assert.That(orders.GetProperty("hasPeriod").GetBoolean(), Is.True);
        Assert.That(orders.GetProperty("operators").EnumerateArray().Select(o => o.GetString()), Is.EqualTo(new[] { "gte", "between" }));
        Assert.That(categories[1].GetProperty("fields")[0].GetProperty("valueSource").GetString(), Is.EqualTo("stateProvinces"));
        Assert.That(json.GetProperty("operators").GetProperty("between").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.Rules.Operator.between]"));
        Assert.That(json.GetProperty("texts").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(LocaleResources.RuleBuilderTextKeys));
        Assert.That(json.GetProperty("options").GetProperty("genders").EnumerateArray().Select(o => o.GetProperty("id").GetString()), Is.EqualTo(new[] { "M", "F", "N" }));
        Assert.That(json.GetProperty("options").GetProperty("months").GetArrayLength(), Is.EqualTo(12));
        var rfm = json.GetProperty("options").GetProperty("rfmGroups").EnumerateArray().ToList();
        Assert.That(rfm.Select(o => o.GetProperty("id").GetString()), Is.EqualTo(RfmGroups.All));
        Assert.That(rfm[0].GetProperty("name").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.Rules.RfmGroup.champions]"));
    }

    /// <summary>
    /// The key of a customer attribute condition is chosen from the shop's customer attributes, sent with the catalog:
    /// by name, the attribute's id being the key
    /// </summary>
    [Test]
    public async Task CatalogOffersTheShopsCustomerAttributesAsTheKeysOfTheFieldsKeyedByThem()
    {
        _catalog.Setup(c => c.GetFields()).Returns(new RuleFieldCatalog().GetFields());
        _lookups.Setup(l => l.SearchAsync(RuleValueSource.CustomerAttributes, It.IsAny<string>(), 0, 0, It.IsAny<int>()))
            .ReturnsAsync(new ValueLookupPage([new ValueLookupItem(7, "Preferred contact"), new ValueLookupItem(12, "</script>Colour")], false));

        var text = await _factory.PrepareRuleCatalogJsonAsync();
        var json = JsonDocument.Parse(text).RootElement;

        var fields = json.GetProperty("categories").EnumerateArray().SelectMany(c => c.GetProperty("fields").EnumerateArray())
            .ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.That(fields[RuleFields.CustomerAttributeValues].GetProperty("keySource").GetString(), Is.EqualTo("customerAttributes"));
        Assert.That(fields[RuleFields.CustomerAttributeText].GetProperty("keySource").GetString(), Is.EqualTo("customerAttributes"));
        Assert.That(fields[RuleFields.GenericAttribute].GetProperty("keySource").GetString(), Is.EqualTo("none"), "a typed-in key");
        Assert.That(fields[RuleFields.GenericAttribute].GetProperty("hasKey").GetBoolean(), Is.True);
        Assert.That(fields[RuleFields.Company].GetProperty("keySource").GetString(), Is.EqualTo("none"));
        var attributes = json.GetProperty("options").GetProperty("customerAttributes").EnumerateArray()
            .Select(a => (a.GetProperty("id").GetInt32(), a.GetProperty("name").GetString())).ToList();
        Assert.That(attributes, Is.EqualTo(new[] { (7, "Preferred contact"), (12, "</script>Colour") }));
        Assert.That(text, Does.Not.Contain("</script>"));
        _lookups.Verify(l => l.SearchAsync(RuleValueSource.CustomerAttributes, It.IsAny<string>(), 0, 0, SegmentModelFactory.MaxCustomerAttributes), Times.Once);
    }

    [Test]
    public async Task CatalogWithoutFieldsKeyedByCustomerAttributesReadsNoAttributes()
    {
        var json = JsonDocument.Parse(await _factory.PrepareRuleCatalogJsonAsync()).RootElement;

        Assert.That(json.GetProperty("options").TryGetProperty("customerAttributes", out _), Is.False);
        _lookups.Verify(l => l.SearchAsync(It.IsAny<RuleValueSource>(), It.IsAny<string>(), It.IsAny<int>(), It.IsAny<int>(), It.IsAny<int>()), Times.Never);
    }

    [Test]
    public async Task CatalogJsonCannotCloseTheScriptBlockItLivesIn()
    {
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Fields.Orders.Count")).ReturnsAsync("</script><b>orders</b>");

        var json = await _factory.PrepareRuleCatalogJsonAsync();

        Assert.That(json, Does.Not.Contain("</script>").And.Not.Contain("<b>"));
        Assert.That(JsonDocument.Parse(json).RootElement.GetProperty("categories")[2].GetProperty("fields")[0].GetProperty("label").GetString(),
            Is.EqualTo("</script><b>orders</b>"));
    }

    [Test]
    public async Task MemberListLinksCustomersAndNamesGuests()
    {
        _memberSearch.Setup(m => m.SearchMembersAsync(5, "ex", 0, 25)).ReturnsAsync(new PagedList<SegmentMemberRow>(
        [
            new SegmentMemberRow(10, "a@example.com", "Ann", "Lee", new DateTime(2026, 1, 1)),
            new SegmentMemberRow(11, null, null, " ", new DateTime(2026, 1, 2))
        ], 0, 25, 2));

        var list = await _factory.PrepareSegmentMemberListModelAsync(new SegmentMemberSearchModel { SegmentId = 5, SearchEmail = "ex", Length = 25 }, new Segment { Id = 5 });

        var rows = list.Data.ToList();
        Assert.That(rows[0].Id, Is.EqualTo(10));
        Assert.That(rows[0].FullName, Is.EqualTo("Ann Lee"));
        Assert.That(rows[0].EnteredOn, Is.EqualTo(new DateTime(2026, 1, 1, 2, 0, 0)));
        Assert.That(rows[1].Email, Is.EqualTo("[Admin.Customers.Guest]"));
        Assert.That(rows[1].FullName, Is.Empty);
        Assert.That(list.RecordsTotal, Is.EqualTo(2));
    }

    /// <summary>
    /// The grids post DataTables' start and length: a crafted length (-1, DataTables' "all", or a million) would
    /// read every member of a segment of a million customers into one response, and a negative start reaches the
    /// database as a negative offset, which PostgreSQL and MariaDB refuse. A grid reads one page of at most the
    /// largest page size the admin area offers (10, 25, 50 here), from the first row at the earliest
    /// </summary>
    [TestCase(0, -1, 0, 25)]
    [TestCase(0, 0, 0, 25)]
    [TestCase(0, 1_000_000, 0, 50)]
    [TestCase(0, int.MaxValue, 0, 50)]
    [TestCase(-100, 25, 0, 25)]
    [TestCase(int.MinValue, -1, 0, 25)]
    [TestCase(100, 50, 2, 50)]
    public async Task GridsReadAtMostOnePageOfTheLargestOfferedSize(int start, int length, int pageIndex, int pageSize)
    {
        _memberSearch.Setup(m => m.SearchMembersAsync(5, null, It.IsAny<int>(), It.IsAny<int>())).ReturnsAsync(new PagedList<SegmentMemberRow>([], 0, 1, 0));
        _segmentService.Setup(s => s.SearchSegmentsAsync(null, 0, It.IsAny<int>(), It.IsAny<int>())).ReturnsAsync(new PagedList<Segment>([], 0, 1, 0));
        _membershipService.Setup(m => m.CountMembersOfAllSegmentsAsync()).ReturnsAsync(new Dictionary<int, int>());

        await _factory.PrepareSegmentMemberListModelAsync(new SegmentMemberSearchModel { SegmentId = 5, Start = start, Length = length }, new Segment { Id = 5 });
        await _factory.PrepareSegmentListModelAsync(new SegmentSearchModel { Start = start, Length = length });

        _memberSearch.Verify(m => m.SearchMembersAsync(5, null, pageIndex, pageSize), Times.Once);
        _segmentService.Verify(s => s.SearchSegmentsAsync(null, 0, pageIndex, pageSize), Times.Once);
    }

    [Test]
    public async Task ConfigurationModelSelectsTheConfiguredStatuses()
    {
        var settings = new CustomerSegmentsSettings { RebuildIntervalSeconds = 1800, FullRebuildIntervalHours = 12, RfmWindowDays = 90 };

        var model = await _factory.PrepareConfigurationModelAsync(null, settings);

        Assert.That(model.RebuildIntervalMinutes, Is.EqualTo(30));
        Assert.That(model.FullRebuildIntervalHours, Is.EqualTo(12));
        Assert.That(model.RfmWindowDays, Is.EqualTo(90));
        Assert.That(model.AvailablePaymentStatuses.Where(s => s.Selected).Select(s => s.Value), Is.EqualTo(new[] { ((int)PaymentStatus.Paid).ToString() }));
        Assert.That(model.AvailableOrderStatuses.Where(s => s.Selected).Select(s => s.Value), Is.EqualTo(new[] { ((int)OrderStatus.Cancelled).ToString() }));
        Assert.That(model.AvailablePaymentStatuses.First().Text, Does.StartWith("[Enums.Nop.Core.Domain.Payments.PaymentStatus."));
    }

    [Test]
    public async Task SettingsOfferTheShopperWidgetZonesWithLocalizedNames()
    {
        var settings = new CustomerSegmentsSettings { WidgetEnabled = true, WidgetZones = ["productdetails_top", "home_page_top"] };

        var model = await _factory.PrepareConfigurationModelAsync(null, settings);

        Assert.That(model.WidgetEnabled, Is.True);
        Assert.That(model.WidgetZones, Is.EqualTo(new[] { "productdetails_top", "home_page_top" }));
        Assert.That(model.AvailableWidgetZones.Select(z => z.Value), Is.EqualTo(CustomerSegmentsDefaults.ShopperWidgetZones));
        Assert.That(model.AvailableWidgetZones.Where(z => z.Selected).Select(z => z.Value), Is.EqualTo(new[] { "home_page_top", "productdetails_top" }));
        Assert.That(model.AvailableWidgetZones[0].Text, Is.EqualTo("[Plugins.Misc.CustomerSegments.Configuration.WidgetZones.home_page_top] (home_page_top)"));
    }

    [Test]
    public async Task SettingsShowHowManyChangesWaitForTheScheduledTaskAlsoAfterAPost()
    {
        _pendingCustomers.Setup(p => p.CountAsync()).ReturnsAsync(1234);

        var shown = await _factory.PrepareConfigurationModelAsync(null, new CustomerSegmentsSettings());
        var posted = await _factory.PrepareConfigurationModelAsync(new ConfigurationModel { QueuedChanges = 7 }, new CustomerSegmentsSettings());

        Assert.That(shown.QueuedChanges, Is.EqualTo(1234));
        Assert.That(posted.QueuedChanges, Is.EqualTo(1234), "counted again, never taken from the form");
    }

    [Test]
    public async Task SettingsAdvisePreparedStatementsOnlyWhenTheDatabaseSettingsCall()
    {
        _databaseAdvisor.Setup(a => a.SuggestsPreparedStatements()).Returns(true);
        var advised = await _factory.PrepareConfigurationModelAsync(null, new CustomerSegmentsSettings());
        var posted = await _factory.PrepareConfigurationModelAsync(new ConfigurationModel { SuggestPreparedStatements = false }, new CustomerSegmentsSettings());
        _databaseAdvisor.Setup(a => a.SuggestsPreparedStatements()).Returns(false);
        var quiet = await _factory.PrepareConfigurationModelAsync(null, new CustomerSegmentsSettings());

        Assert.That(advised.SuggestPreparedStatements, Is.True);
        Assert.That(posted.SuggestPreparedStatements, Is.True, "asked again, never taken from the form");
        Assert.That(quiet.SuggestPreparedStatements, Is.False);
    }

    /// <summary>
    /// The settings page warns while the plugin is limited to stores or customer roles (nopCommerce then skips its
    /// discount requirements for the shoppers outside them), asked at each display
    /// </summary>
    [Test]
    public async Task SettingsWarnWhileThePluginIsLimited()
    {
        var free = await _factory.PrepareConfigurationModelAsync(null, new CustomerSegmentsSettings());
        _pluginLimits.Setup(a => a.IsLimitedAsync()).ReturnsAsync(true);
        var limited = await _factory.PrepareConfigurationModelAsync(new ConfigurationModel { PluginLimited = false }, new CustomerSegmentsSettings());

        Assert.That(free.PluginLimited, Is.False);
        Assert.That(limited.PluginLimited, Is.True);
    }

    [Test]
    public async Task SettingsAdvisePlainTransactionsOnlyWhenTheDatabaseSettingsCall()
    {
        _databaseAdvisor.Setup(a => a.SuggestsPlainTransactions()).Returns(true);
        var advised = await _factory.PrepareConfigurationModelAsync(null, new CustomerSegmentsSettings());
        var posted = await _factory.PrepareConfigurationModelAsync(new ConfigurationModel { SuggestPlainTransactions = false }, new CustomerSegmentsSettings());
        _databaseAdvisor.Setup(a => a.SuggestsPlainTransactions()).Returns(false);
        var quiet = await _factory.PrepareConfigurationModelAsync(null, new CustomerSegmentsSettings());

        Assert.That(advised.SuggestPlainTransactions, Is.True);
        Assert.That(posted.SuggestPlainTransactions, Is.True, "asked again, never taken from the form");
        Assert.That(quiet.SuggestPlainTransactions, Is.False);
        Assert.That(advised.SuggestPreparedStatements, Is.False, "one advice does not bring the other");
    }

    [Test]
    public async Task APostedSettingsModelKeepsTheChosenZones()
    {
        var model = await _factory.PrepareConfigurationModelAsync(new ConfigurationModel { WidgetZones = ["footer_x", "content_before"] }, new CustomerSegmentsSettings());

        Assert.That(model.AvailableWidgetZones.Where(z => z.Selected).Select(z => z.Value), Is.EqualTo(new[] { "content_before" }));
    }

    [Test]
    public async Task CustomerCardListsCurrentSegmentsByName()
    {
        _membershipService.Setup(m => m.GetHistoryOfCustomerAsync(3)).ReturnsAsync(
        [
            new SegmentMembership { SegmentId = 1, CustomerId = 3, EnteredOnUtc = new DateTime(2026, 3, 1) },
            new SegmentMembership { SegmentId = 2, CustomerId = 3, EnteredOnUtc = new DateTime(2025, 1, 1), LeftOnUtc = new DateTime(2025, 2, 1) },
            new SegmentMembership { SegmentId = 4, CustomerId = 3, EnteredOnUtc = new DateTime(2026, 2, 1) },
            new SegmentMembership { SegmentId = 9, CustomerId = 3, EnteredOnUtc = new DateTime(2026, 2, 1) }
        ]);
        _segmentService.Setup(s => s.GetSegmentsByIdsAsync(It.Is<IList<int>>(ids => ids.OrderBy(i => i).SequenceEqual(new[] { 1, 4, 9 }))))
            .ReturnsAsync([new Segment { Id = 1, Name = "Zeta", SegmentTypeId = 10 }, new Segment { Id = 4, Name = "Alpha", SegmentTypeId = 20 }]);

        var model = await _factory.PrepareCustomerSegmentsCardModelAsync(3);

        Assert.That(model.Segments.Select(s => s.Name), Is.EqualTo(new[] { "Alpha", "Zeta" }), "left stays and deleted segments are not shown");
        Assert.That(model.Segments[0].IsDynamic, Is.False);
        Assert.That(model.Segments[1].EnteredOn, Is.EqualTo(new DateTime(2026, 3, 1, 2, 0, 0)));
    }
}
