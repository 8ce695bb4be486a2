using System.Globalization;
using Nop.Core.Domain.Stores;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Routing;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Localization;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Core.Domain.Vendors;
using Nop.Plugin.Misc.CustomerSegments.Controllers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Localization;
using Nop.Services.Messages;
using Nop.Services.ScheduleTasks;
using Nop.Services.Stores;
using Nop.Web.Framework.Mvc.Filters;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

public class CustomerSegmentsAdminControllerTests
{
    private CustomerSegmentsSettings _settings;
    private Mock<ICustomerService> _customerService;
    private Mock<ILocalizationService> _localizationService;
    private Mock<ILocalizedEntityService> _localizedEntityService;
    private Mock<INotificationService> _notificationService;
    private Mock<Nop.Services.Catalog.IPriceFormatter> _priceFormatter;
    private Mock<IScheduleTaskService> _scheduleTaskService;
    private Mock<ISegmentAnalyticsService> _analyticsService;
    private Mock<ISegmentCopyService> _copyService;
    private Mock<ISegmentMemberCsvService> _csvService;
    private Mock<ISegmentRebuildRunService> _rebuildRunService;
    private Mock<IStaticSegmentService> _staticService;
    private Mock<IStoreService> _storeService;
    private Mock<IWorkContext> _workContext;
    private Mock<ISegmentModelFactory> _modelFactory;
    private Mock<ISegmentPreviewService> _previewService;
    private Mock<ISegmentRuleSerializer> _serializer;
    private Mock<ISegmentRuleValidator> _validator;
    private Mock<ISegmentService> _segmentService;
    private Mock<ISegmentValueLookupService> _lookupService;
    private Mock<ISettingService> _settingService;
    private CustomerSegmentsAdminController _controller;
    private Mock<ILanguageService> _languageService;

    [SetUp]
    public void SetUp()
    {
        _settings = new CustomerSegmentsSettings();
        _customerService = new Mock<ICustomerService>();
        //languages 1 to 3, the third hidden
        _languageService = new Mock<ILanguageService>();
        _languageService.Setup(l => l.GetAllLanguagesAsync(true, 0))
            .ReturnsAsync([new Language { Id = 1, Published = true }, new Language { Id = 2, Published = true }, new Language { Id = 3 }]);
        _localizationService = new Mock<ILocalizationService>();
        _localizationService.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => $"[{key}]");
        _localizedEntityService = new Mock<ILocalizedEntityService>();
        _notificationService = new Mock<INotificationService>();
        _priceFormatter = new Mock<Nop.Services.Catalog.IPriceFormatter>();
        _priceFormatter.Setup(f => f.FormatPriceAsync(It.IsAny<decimal>(), true, false))
            .ReturnsAsync((decimal price, bool _, bool _) => $"${price.ToString("N2", CultureInfo.InvariantCulture)}");
        _scheduleTaskService = new Mock<IScheduleTaskService>();
        _analyticsService = new Mock<ISegmentAnalyticsService>();
        _copyService = new Mock<ISegmentCopyService>();
        _csvService = new Mock<ISegmentMemberCsvService>();
        _rebuildRunService = new Mock<ISegmentRebuildRunService>();
        _rebuildRunService.Setup(r => r.StartAsync(It.IsAny<Segment>())).ReturnsAsync((Segment segment) => new SegmentRebuildRun { Id = 1, SegmentId = segment.Id });
        _staticService = new Mock<IStaticSegmentService>();
        //stores 1 to 3
        _storeService = new Mock<IStoreService>();
        _storeService.Setup(s => s.GetStoreByIdAsync(It.IsInRange(1, 3, Moq.Range.Inclusive))).ReturnsAsync((int id) => new Store { Id = id });
        _workContext = new Mock<IWorkContext>();
        _modelFactory = new Mock<ISegmentModelFactory>();
        _modelFactory.Setup(f => f.PrepareSegmentModelAsync(It.IsAny<SegmentModel>(), It.IsAny<Segment>(), It.IsAny<bool>(), It.IsAny<IReadOnlyList<RuleValidationError>>()))
            .ReturnsAsync((SegmentModel model, Segment _, bool _, IReadOnlyList<RuleValidationError> _) => model ?? new SegmentModel());
        _modelFactory.Setup(f => f.PrepareConfigurationModelAsync(It.IsAny<ConfigurationModel>(), It.IsAny<CustomerSegmentsSettings>()))
            .ReturnsAsync((ConfigurationModel model, CustomerSegmentsSettings _) => model ?? new ConfigurationModel());
        _previewService = new Mock<ISegmentPreviewService>();
        _serializer = new Mock<ISegmentRuleSerializer>();
        _validator = new Mock<ISegmentRuleValidator>();
        _validator.Setup(v => v.LocalizeAsync(It.IsAny<IReadOnlyList<RuleValidationError>>())).ReturnsAsync((IReadOnlyList<RuleValidationError> errors) => errors);
        _segmentService = new Mock<ISegmentService>();
        _lookupService = new Mock<ISegmentValueLookupService>();
        _settingService = new Mock<ISettingService>();

        _controller = NewController();
    }

    /// <summary>
    /// The controller over the mocks, with a real preview service, serializer or validator where a test gives one
    /// </summary>
    private AccessDeniedAwareController NewController(ISegmentPreviewService preview = null, ISegmentRuleSerializer serializer = null,
        ISegmentRuleValidator validator = null) =>
        new(_settings, _customerService.Object, new FormValueErrorFactory(_localizationService.Object, LocaleResourceFormatters.Over(_localizationService.Object)),
            _languageService.Object, _localizationService.Object, LocaleResourceFormatters.Over(_localizationService.Object),
            _localizedEntityService.Object, _notificationService.Object, _priceFormatter.Object, _scheduleTaskService.Object, _analyticsService.Object, _copyService.Object, _csvService.Object,
            _modelFactory.Object, preview ?? _previewService.Object, _rebuildRunService.Object, serializer ?? _serializer.Object, validator ?? _validator.Object,
            _segmentService.Object, _lookupService.Object, _settingService.Object, _staticService.Object, _storeService.Object, _workContext.Object)
        {
            ControllerContext = new ControllerContext { HttpContext = new DefaultHttpContext() }
        };

    private SegmentRuleValidator RealValidator() =>
        new(new RuleFieldCatalog(), new SegmentRuleSerializer(), _segmentService.Object, _localizationService.Object, LocaleResourceFormatters.Over(_localizationService.Object), Rules.KnownValues.All());

    private static JsonElement JsonOf(IActionResult result) =>
        JsonSerializer.SerializeToElement(((JsonResult)result).Value);

    private SegmentRule ValidRule(string json)
    {
        var rule = new SegmentRule();
        _serializer.Setup(s => s.Parse(json)).Returns(new RuleParseResult(rule, []));
        _serializer.Setup(s => s.Serialize(rule)).Returns("{\"version\":1,\"normalized\":true}");
        _validator.Setup(v => v.ValidateAsync(rule, It.IsAny<int>())).ReturnsAsync(Array.Empty<RuleValidationError>());
        return rule;
    }

    #region Security

    public static IEnumerable<MethodInfo> Actions() =>
        typeof(CustomerSegmentsAdminController).GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly)
            .Where(method => typeof(Task<IActionResult>).IsAssignableFrom(method.ReturnType) || method.ReturnType == typeof(IActionResult));

    [Test]
    public void EveryActionChecksThePluginPermission()
    {
        Assert.That(Actions().Count(), Is.GreaterThan(10));
        foreach (var action in Actions())
        {
            var checks = action.GetCustomAttributesData().Where(a => a.AttributeType == typeof(CheckPermissionAttribute)).ToList();
            Assert.That(checks.Select(c => c.ConstructorArguments[0].Value), Does.Contain(CustomerSegmentsDefaults.ManagePermissionSystemName),
                $"{action.Name} must check {CustomerSegmentsDefaults.ManagePermissionSystemName}");
        }
    }

    [Test]
    public void TheControllerIsAnAdminControllerThatValidatesAntiForgeryTokens()
    {
        var attributes = typeof(CustomerSegmentsAdminController).GetCustomAttributesData().Select(a => a.AttributeType).ToList();

        Assert.That(attributes, Does.Contain(typeof(AuthorizeAdminAttribute)));
        Assert.That(attributes, Does.Contain(typeof(AutoValidateAntiforgeryTokenAttribute)));
        Assert.That(typeof(CustomerSegmentsAdminController).GetCustomAttribute<AreaAttribute>()!.RouteValue, Is.EqualTo("Admin"));
    }

    /// <summary>
    /// The controller with nopCommerce's access-denied page (a redirect in nopCommerce; the SDK's stand-in throws)
    /// </summary>
    private sealed class AccessDeniedAwareController : CustomerSegmentsAdminController
    {
        public static readonly IActionResult Denied = new ForbidResult();

        public AccessDeniedAwareController(CustomerSegmentsSettings settings, ICustomerService customerService, IFormValueErrorFactory formValueErrorFactory,
            ILanguageService languageService,
            ILocalizationService localizationService,
            ILocaleResourceFormatter localeResourceFormatter,
            ILocalizedEntityService localizedEntityService, INotificationService notificationService, Nop.Services.Catalog.IPriceFormatter priceFormatter,
            IScheduleTaskService scheduleTaskService,
            ISegmentAnalyticsService segmentAnalyticsService, ISegmentCopyService segmentCopyService, ISegmentMemberCsvService segmentMemberCsvService,
            ISegmentModelFactory segmentModelFactory,
            ISegmentPreviewService segmentPreviewService, ISegmentRebuildRunService segmentRebuildRunService,
            ISegmentRuleSerializer segmentRuleSerializer, ISegmentRuleValidator segmentRuleValidator, ISegmentService segmentService,
            ISegmentValueLookupService segmentValueLookupService, ISettingService settingService, IStaticSegmentService staticSegmentService,
            IStoreService storeService, IWorkContext workContext)
            : base(settings, customerService, formValueErrorFactory, languageService, localizationService, localeResourceFormatter, localizedEntityService, notificationService, priceFormatter, scheduleTaskService, segmentAnalyticsService,
                segmentCopyService, segmentMemberCsvService, segmentModelFactory, segmentPreviewService, segmentRebuildRunService, segmentRuleSerializer,
                segmentRuleValidator, segmentService, segmentValueLookupService, settingService, staticSegmentService, storeService, workContext)
        {
        }

        protected override IActionResult AccessDeniedView() => Denied;
    }

    private async Task<(IActionResult Result, bool Ran)> ExecuteFiltersAsync(MethodInfo action)
    {
        var descriptor = new ActionDescriptor { DisplayName = action.Name };
        var context = new ActionExecutingContext(new ActionContext(_controller.HttpContext, new RouteData(), descriptor),
            new List<IFilterMetadata>(), new Dictionary<string, object>(), _controller);
        var ran = false;
        await _controller.OnActionExecutionAsync(context, () =>
        {
            ran = true;
            return Task.FromResult(new ActionExecutedContext(context, new List<IFilterMetadata>(), _controller));
        });

        return (context.Result, ran);
    }

    [Test]
    public async Task EveryActionRefusesAVendorAndRunsForAShopAdmin()
    {
        foreach (var action in Actions())
        {
            _workContext.Setup(w => w.GetCurrentVendorAsync()).ReturnsAsync(new Vendor { Id = 5, Name = "Tea supplier" });
            var (result, ran) = await ExecuteFiltersAsync(action);
            Assert.That(ran, Is.False, $"{action.Name} ran for a vendor");
            Assert.That(result, Is.SameAs(AccessDeniedAwareController.Denied), $"{action.Name} must show the access-denied page to a vendor");

            _workContext.Setup(w => w.GetCurrentVendorAsync()).ReturnsAsync((Vendor)null);
            (result, ran) = await ExecuteFiltersAsync(action);
            Assert.That(ran, Is.True, $"{action.Name} did not run for a shop admin");
            Assert.That(result, Is.Null);
        }
    }

    [TestCase(nameof(CustomerSegmentsAdminController.Delete))]
    [TestCase(nameof(CustomerSegmentsAdminController.Rebuild))]
    [TestCase(nameof(CustomerSegmentsAdminController.ExportMembers))]
    [TestCase(nameof(CustomerSegmentsAdminController.AddMembers))]
    [TestCase(nameof(CustomerSegmentsAdminController.ImportMembers))]
    [TestCase(nameof(CustomerSegmentsAdminController.RemoveMember))]
    [TestCase(nameof(CustomerSegmentsAdminController.Preview))]
    public void ActionsThatChangeOrRunThingsArePostOnly(string name)
    {
        Assert.That(Actions().Where(a => a.Name == name).All(a => a.GetCustomAttribute<HttpPostAttribute>() != null), Is.True);
    }

    #endregion

    #region Create / edit / delete

    [Test]
    public async Task CreateSavesAValidDynamicSegmentWithTheNormalizedRule()
    {
        ValidRule("{posted}");
        Segment inserted = null;
        _segmentService.Setup(s => s.InsertSegmentAsync(It.IsAny<Segment>())).Callback<Segment>(s => { s.Id = 42; inserted = s; });

        var result = await _controller.Create(new SegmentModel
        {
            Name = "  Big spenders ", Description = "d", Active = true, StoreId = 3,
            SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{posted}"
        }, continueEditing: true);

        Assert.That(inserted, Is.Not.Null);
        Assert.That(inserted.Name, Is.EqualTo("Big spenders"));
        Assert.That(inserted.StoreId, Is.EqualTo(3));
        Assert.That(inserted.RuleJson, Is.EqualTo("{\"version\":1,\"normalized\":true}"));
        Assert.That(inserted.RuleSchemaVersion, Is.EqualTo(SegmentRule.CurrentSchemaVersion));
        Assert.That(inserted.CreatedOnUtc, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
        var redirect = (RedirectToActionResult)result;
        Assert.That(redirect.ActionName, Is.EqualTo("Edit"));
        Assert.That(redirect.RouteValues!["id"], Is.EqualTo(42));
        _notificationService.Verify(n => n.SuccessNotification("[Plugins.Misc.CustomerSegments.Segments.Added]", true, 0));
    }

    [Test]
    public async Task CreateShowsRuleErrorsByPathAndSavesNothing()
    {
        var rule = new SegmentRule();
        _serializer.Setup(s => s.Parse("{bad}")).Returns(new RuleParseResult(rule, []));
        var errors = new[] { new RuleValidationError("0.1", "Plugins.Misc.CustomerSegments.Rules.Errors.UnknownField", "Condition 2 of group 1: unknown field") };
        _validator.Setup(v => v.ValidateAsync(rule, 0)).ReturnsAsync(errors);

        var result = await _controller.Create(new SegmentModel { Name = "X", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{bad}" }, false);

        var view = (ViewResult)result;
        Assert.That(view.ViewName, Does.EndWith("Create.cshtml"));
        Assert.That(_controller.ModelState[nameof(SegmentModel.RuleJson)]!.Errors.Select(e => e.ErrorMessage),
            Is.EqualTo(new[] { "Condition 2 of group 1: unknown field" }));
        _modelFactory.Verify(f => f.PrepareSegmentModelAsync(It.IsAny<SegmentModel>(), null, true,
            It.Is<IReadOnlyList<RuleValidationError>>(list => list.Single().Path == "0.1")));
        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    [Test]
    public async Task CreateShowsMalformedRuleJsonAsAnError()
    {
        var parseError = new RuleValidationError("", "key", "The rule is not valid JSON");
        _serializer.Setup(s => s.Parse("{")).Returns(new RuleParseResult(null, [parseError]));

        var result = await _controller.Create(new SegmentModel { Name = "X", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{" }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState.IsValid, Is.False);
        _validator.Verify(v => v.ValidateAsync(It.IsAny<SegmentRule>(), It.IsAny<int>()), Times.Never);
        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    /// <summary>
    /// A rule that can't be read is reported in the admin's language, as the validator's errors are: through the
    /// localization service, with the resource the error names (here "[key]" stands for the translated text)
    /// </summary>
    [TestCase("{", "JsonMalformed")]
    [TestCase("", "JsonEmpty")]
    [TestCase("""{"version":99,"root":{"children":[]}}""", "UnsupportedVersion")]
    public async Task AnUnreadableRuleIsReportedInTheAdminsLanguage(string ruleJson, string error)
    {
        var controller = NewController(serializer: new SegmentRuleSerializer(), validator: RealValidator());

        var result = await controller.Create(new SegmentModel { Name = "X", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = ruleJson }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never);
        var message = controller.ModelState[nameof(SegmentModel.RuleJson)]!.Errors.Single().ErrorMessage;
        Assert.That(message, Does.Contain($"[Plugins.Misc.CustomerSegments.Rules.Error.{error}]"),
            "the message is the English text instead of the admin's language");
    }

    /// <summary>
    /// The store of a segment is one of the shop's stores (or 0, all stores): an id of no store is refused with
    /// Fields.Store.Invalid ("Choose a store from the list.") and nothing is saved
    /// </summary>
    [TestCase(999)]
    [TestCase(int.MaxValue)]
    public async Task CreateRefusesAStoreThatDoesNotExist(int storeId)
    {
        var result = await _controller.Create(new SegmentModel { Name = "X", SegmentTypeId = (int)SegmentType.Static, StoreId = storeId }, false);

        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never, $"a segment of store {storeId}, which does not exist, was saved");
        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState[nameof(SegmentModel.StoreId)]!.Errors.Single().ErrorMessage,
            Is.EqualTo("[Plugins.Misc.CustomerSegments.Fields.Store.Invalid]"));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public async Task CreateRequiresAName(string name)
    {
        var result = await _controller.Create(new SegmentModel { Name = name, SegmentTypeId = (int)SegmentType.Static }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState[nameof(SegmentModel.Name)]!.Errors.Single().ErrorMessage,
            Is.EqualTo("[Plugins.Misc.CustomerSegments.Fields.Name.Required]"));
        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    [Test]
    public async Task CreateRefusesAnUnknownType()
    {
        var result = await _controller.Create(new SegmentModel { Name = "X", SegmentTypeId = 99 }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState.ContainsKey(nameof(SegmentModel.SegmentTypeId)), Is.True);
        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    [Test]
    public async Task AStaticSegmentHasNoRule()
    {
        Segment inserted = null;
        _segmentService.Setup(s => s.InsertSegmentAsync(It.IsAny<Segment>())).Callback<Segment>(s => inserted = s);

        var result = await _controller.Create(new SegmentModel { Name = "VIP list", SegmentTypeId = (int)SegmentType.Static, RuleJson = "{ignored}" }, false);

        Assert.That(((RedirectToActionResult)result).ActionName, Is.EqualTo("List"));
        Assert.That(inserted.RuleJson, Is.Null);
        Assert.That(inserted.RuleSchemaVersion, Is.Zero);
        _serializer.Verify(s => s.Parse(It.IsAny<string>()), Times.Never);
    }

    [Test]
    public async Task EditUpdatesTheSegmentAndValidatesAgainstItsOwnId()
    {
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Dynamic, CreatedOnUtc = new DateTime(2020, 1, 1) };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);
        var rule = ValidRule("{rule}");

        var result = await _controller.Edit(new SegmentModel { Id = 5, Name = "New", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{rule}", Active = true }, false);

        Assert.That(((RedirectToActionResult)result).ActionName, Is.EqualTo("List"));
        _validator.Verify(v => v.ValidateAsync(rule, 5));
        _segmentService.Verify(s => s.UpdateSegmentAsync(It.Is<Segment>(updated => updated.Name == "New" && updated.Active
            && updated.CreatedOnUtc == new DateTime(2020, 1, 1) && updated.RuleJson == "{\"version\":1,\"normalized\":true}")));
    }

    [Test]
    public async Task EditSavesTheShopperMessageInEveryLanguage()
    {
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        await _controller.Edit(new SegmentModel
        {
            Id = 5, Name = "Loyal", SegmentTypeId = (int)SegmentType.Static, ShopperMessage = " 10% off ",
            Locales = [new SegmentLocalizedModel { LanguageId = 2, ShopperMessage = " 10 % de remise " }, new SegmentLocalizedModel { LanguageId = 3 }]
        }, false);

        Assert.That(segment.ShopperMessage, Is.EqualTo("10% off"));
        _localizedEntityService.Verify(l => l.SaveLocalizedValueAsync(segment,
            It.Is<System.Linq.Expressions.Expression<Func<Segment, string>>>(e => ((System.Linq.Expressions.MemberExpression)e.Body).Member.Name == nameof(Segment.ShopperMessage)),
            "10 % de remise", 2));
        //an empty translation is saved empty: nopCommerce then removes it and the standard message is shown
        _localizedEntityService.Verify(l => l.SaveLocalizedValueAsync(segment, It.IsAny<System.Linq.Expressions.Expression<Func<Segment, string>>>(), null, 3));
        _localizedEntityService.VerifyNoOtherCalls();
    }

    [Test]
    public async Task ATranslationIntoALanguageThatDoesNotExistIsNotSaved()
    {
        //the language was deleted while the page was open, or the post names one that never was
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        var result = await _controller.Edit(new SegmentModel
        {
            Id = 5, Name = "Loyal", SegmentTypeId = (int)SegmentType.Static,
            Locales = [new SegmentLocalizedModel { LanguageId = 9, ShopperMessage = "Gone" }, new SegmentLocalizedModel { LanguageId = 2, ShopperMessage = "Danke" }]
        }, false);

        Assert.That(result, Is.InstanceOf<RedirectToActionResult>());
        _segmentService.Verify(s => s.UpdateSegmentAsync(segment));
        _localizedEntityService.Verify(l => l.SaveLocalizedValueAsync(segment, It.IsAny<System.Linq.Expressions.Expression<Func<Segment, string>>>(), "Danke", 2));
        _localizedEntityService.VerifyNoOtherCalls();
    }

    [Test]
    public async Task ATooLongDescriptionSavesNothing()
    {
        var result = await _controller.Create(new SegmentModel
        {
            Name = "Loyal", SegmentTypeId = (int)SegmentType.Static, Description = new string('d', CustomerSegmentsAdminController.DescriptionMaxLength + 1)
        }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState[nameof(SegmentModel.Description)]?.Errors.Select(e => e.ErrorMessage),
            Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.Fields.Description.TooLong]" }));
        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never);

        //at the limit it is saved
        _controller = NewController();
        await _controller.Create(new SegmentModel
        {
            Name = "Loyal", SegmentTypeId = (int)SegmentType.Static, Description = new string('d', CustomerSegmentsAdminController.DescriptionMaxLength)
        }, false);
        _segmentService.Verify(s => s.InsertSegmentAsync(It.Is<Segment>(segment => segment.Description.Length == CustomerSegmentsAdminController.DescriptionMaxLength)));
    }

    [Test]
    public async Task CreateSavesTheTranslationsOfTheNewSegment()
    {
        _segmentService.Setup(s => s.InsertSegmentAsync(It.IsAny<Segment>())).Callback<Segment>(s => s.Id = 42);

        await _controller.Create(new SegmentModel
        {
            Name = "Loyal", SegmentTypeId = (int)SegmentType.Static, Locales = [new SegmentLocalizedModel { LanguageId = 2, ShopperMessage = "Danke" }]
        }, false);

        _localizedEntityService.Verify(l => l.SaveLocalizedValueAsync(It.Is<Segment>(s => s.Id == 42),
            It.IsAny<System.Linq.Expressions.Expression<Func<Segment, string>>>(), "Danke", 2));
    }

    [Test]
    public async Task ATooLongShopperMessageInAnyLanguageSavesNothing()
    {
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        var result = await _controller.Edit(new SegmentModel
        {
            Id = 5, Name = "Loyal", SegmentTypeId = (int)SegmentType.Static, ShopperMessage = "ok",
            Locales = [new SegmentLocalizedModel { LanguageId = 2, ShopperMessage = "ok" }, new SegmentLocalizedModel { LanguageId = 3, ShopperMessage = new string('x', 1001) }]
        }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState["Locales[1].ShopperMessage"]!.Errors.Single().ErrorMessage,
            Is.EqualTo("[Plugins.Misc.CustomerSegments.Fields.ShopperMessage.TooLong]"));
        Assert.That(_controller.ModelState.ContainsKey("Locales[0].ShopperMessage"), Is.False);
        Assert.That(segment.Name, Is.EqualTo("Old"));
        _segmentService.Verify(s => s.UpdateSegmentAsync(It.IsAny<Segment>()), Times.Never);
        _localizedEntityService.VerifyNoOtherCalls();
    }

    /// <summary>
    /// A segment whose store was deleted (the edit page offers it as "Deleted store (ID n)") is not saved with it: the
    /// admin is told the store was deleted, not to "choose a store from the list" the page selected it in
    /// </summary>
    [Test]
    public async Task EditRefusesTheSegmentsDeletedStoreSayingItWasDeleted()
    {
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static, StoreId = 7 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        var result = await _controller.Edit(new SegmentModel { Id = 5, Name = "New", SegmentTypeId = (int)SegmentType.Static, StoreId = 7 }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState[nameof(SegmentModel.StoreId)]!.Errors.Single().ErrorMessage,
            Is.EqualTo("[Plugins.Misc.CustomerSegments.Fields.Store.WasDeleted]"));
        Assert.That((segment.Name, segment.StoreId), Is.EqualTo(("Old", 7)));
        _segmentService.Verify(s => s.UpdateSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    [Test]
    public async Task EditMovesASegmentOffItsDeletedStore()
    {
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static, StoreId = 7 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        var result = await _controller.Edit(new SegmentModel { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static, StoreId = 0 }, false);

        Assert.That(((RedirectToActionResult)result).ActionName, Is.EqualTo("List"));
        _segmentService.Verify(s => s.UpdateSegmentAsync(It.Is<Segment>(updated => updated.StoreId == 0)));
    }

    /// <summary>
    /// Another segment's store id that names no store is not this segment's deleted store: the usual message
    /// </summary>
    [Test]
    public async Task EditRefusesAnotherMissingStoreAsInvalid()
    {
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static, StoreId = 7 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        await _controller.Edit(new SegmentModel { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Static, StoreId = 999 }, false);

        Assert.That(_controller.ModelState[nameof(SegmentModel.StoreId)]!.Errors.Single().ErrorMessage,
            Is.EqualTo("[Plugins.Misc.CustomerSegments.Fields.Store.Invalid]"));
        _segmentService.Verify(s => s.UpdateSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    /// <summary>
    /// A rule saved by a version of the plugin before the limit of conditions on other tables: no longer rebuilt
    /// </summary>
    private static string OverTheTableConditionLimit() =>
        Membership.RuleJson.Json([.. Enumerable.Range(0, RuleValueLimits.MaxTableConditions + 1)
            .Select(_ => Membership.RuleJson.Condition(RuleFields.OrderCount, RuleOperators.GreaterThanOrEqual, 2))]);

    /// <summary>
    /// The page of a segment whose stored rule no longer validates opens, and says why it is no longer rebuilt
    /// </summary>
    [Test]
    public async Task TheEditPageOfARuleSavedOverTheTableConditionLimitShowsTheLimit()
    {
        var segment = new Segment { Id = 5, Name = "Legacy", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = OverTheTableConditionLimit(), Active = true };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);
        var controller = NewController(serializer: new SegmentRuleSerializer(), validator: RealValidator());

        var result = await controller.Edit(5);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        _modelFactory.Verify(f => f.PrepareSegmentModelAsync(null, segment, false, It.Is<IReadOnlyList<RuleValidationError>>(errors =>
            errors != null && errors.Count == 1 && errors[0].Path == string.Empty
            && errors[0].Message.Contains("[Plugins.Misc.CustomerSegments.Rules.Error.TooManyTableConditions]"))), Times.Once);
        _segmentService.Verify(s => s.UpdateSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    [Test]
    public async Task TheEditPageOfAValidOrStaticSegmentShowsNoRuleError()
    {
        var dynamic = new Segment { Id = 5, Name = "Buyers", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = Membership.RuleJson.Json(Membership.RuleJson.OrdersAtLeast(1)) };
        var picked = new Segment { Id = 6, Name = "Picked", SegmentTypeId = (int)SegmentType.Static };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(dynamic);
        _segmentService.Setup(s => s.GetSegmentByIdAsync(6)).ReturnsAsync(picked);
        var controller = NewController(serializer: new SegmentRuleSerializer(), validator: RealValidator());

        await controller.Edit(5);
        await controller.Edit(6);

        _modelFactory.Verify(f => f.PrepareSegmentModelAsync(null, dynamic, false, It.Is<IReadOnlyList<RuleValidationError>>(errors => errors == null || errors.Count == 0)), Times.Once);
        _modelFactory.Verify(f => f.PrepareSegmentModelAsync(null, picked, false, It.Is<IReadOnlyList<RuleValidationError>>(errors => errors == null || errors.Count == 0)), Times.Once);
    }

    [Test]
    public async Task EditOfAMissingSegmentGoesBackToTheList()
    {
        var get = await _controller.Edit(404);
        var post = await _controller.Edit(new SegmentModel { Id = 404, Name = "X" }, false);

        Assert.That(((RedirectToActionResult)get).ActionName, Is.EqualTo("List"));
        Assert.That(((RedirectToActionResult)post).ActionName, Is.EqualTo("List"));
        _segmentService.Verify(s => s.UpdateSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    [Test]
    public async Task DeleteRemovesTheSegment()
    {
        var segment = new Segment { Id = 5 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        var result = await _controller.Delete(5);

        _segmentService.Verify(s => s.DeleteSegmentAsync(segment));
        Assert.That(((RedirectToActionResult)result).ActionName, Is.EqualTo("List"));
    }

    [Test]
    public async Task DeletingASegmentOtherRulesNameShowsWhyAndStaysOnIt()
    {
        var segment = new Segment { Id = 5 };
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Segments.Delete.Refused")).ReturnsAsync("named by: {0}");
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);
        _segmentService.Setup(s => s.DeleteSegmentAsync(segment))
            .ThrowsAsync(new SegmentInUseException(5, [new Segment { Id = 8, Name = "Lapsed VIPs" }, new Segment { Id = 9, Name = "Win-back" }]));

        var result = (RedirectToActionResult)await _controller.Delete(5);

        Assert.That(result.ActionName, Is.EqualTo("Edit"));
        Assert.That(result.RouteValues!["id"], Is.EqualTo(5));
        _notificationService.Verify(n => n.ErrorNotification("named by: Lapsed VIPs, Win-back", true, 0));
        _notificationService.Verify(n => n.SuccessNotification(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<int>()), Times.Never);
    }

    #endregion

    #region Templates

    [Test]
    public async Task TheCreatePageStartsFromTheTemplateAsked()
    {
        var fromTemplate = new SegmentModel { Name = "VIP customers" };
        _modelFactory.Setup(f => f.PrepareTemplateSegmentModelAsync("Vip")).ReturnsAsync(fromTemplate);

        //a view result reads the controller's view data: each page is checked before the next is asked for
        Assert.That(((ViewResult)await _controller.Create("Vip")).Model, Is.SameAs(fromTemplate));
        Assert.That(((ViewResult)await _controller.Create()).Model, Is.Not.SameAs(fromTemplate));
        _modelFactory.Verify(f => f.PrepareTemplateSegmentModelAsync(It.IsAny<string>()), Times.Once);
    }

    #endregion

    #region Copy

    [Test]
    public async Task ACopyOpensOnItsOwnPage()
    {
        var segment = new Segment { Id = 5, Name = "VIP" };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);
        _copyService.Setup(c => c.CopySegmentAsync(segment, "VIP, tried again")).ReturnsAsync(new Segment { Id = 9 });

        var result = (RedirectToActionResult)await _controller.Copy(5, "VIP, tried again");

        Assert.That((result.ActionName, result.RouteValues!["id"]), Is.EqualTo(("Edit", (object)9)));
        _notificationService.Verify(n => n.SuccessNotification("[Plugins.Misc.CustomerSegments.Segments.Copied]", true, 0));
    }

    [TestCase("", "Fields.Name.Required")]
    [TestCase("   ", "Fields.Name.Required")]
    [TestCase("VIP\0", "Fields.Text.ControlCharacters")]
    [TestCase(null, "Fields.Name.Required")]
    public async Task ACopyNeedsANameAsASegmentDoes(string name, string error)
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(new Segment { Id = 5 });

        var result = (RedirectToActionResult)await _controller.Copy(5, name);

        Assert.That((result.ActionName, result.RouteValues!["id"]), Is.EqualTo(("Edit", (object)5)));
        _notificationService.Verify(n => n.ErrorNotification($"[Plugins.Misc.CustomerSegments.{error}]", true, 0));
        _copyService.Verify(c => c.CopySegmentAsync(It.IsAny<Segment>(), It.IsAny<string>()), Times.Never);
    }

    [Test]
    public async Task ACopyNameLongerThanTheColumnIsRefused()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(new Segment { Id = 5 });

        await _controller.Copy(5, new string('x', CustomerSegmentsAdminController.SegmentNameMaxLength + 1));

        _notificationService.Verify(n => n.ErrorNotification("[Plugins.Misc.CustomerSegments.Fields.Name.TooLong]", true, 0));
        _copyService.Verify(c => c.CopySegmentAsync(It.IsAny<Segment>(), It.IsAny<string>()), Times.Never);
    }

    [Test]
    public async Task ASegmentWhoseRuleNoLongerValidatesIsNotCopiedAndTheAdminIsToldWhy()
    {
        var segment = new Segment { Id = 5 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);
        _copyService.Setup(c => c.CopySegmentAsync(segment, "Copy")).ThrowsAsync(new SegmentRuleValidationException([]));

        var result = (RedirectToActionResult)await _controller.Copy(5, "Copy");

        Assert.That((result.ActionName, result.RouteValues!["id"]), Is.EqualTo(("Edit", (object)5)));
        _notificationService.Verify(n => n.ErrorNotification("[Plugins.Misc.CustomerSegments.Segments.Copy.InvalidRule]", true, 0));
        _notificationService.Verify(n => n.SuccessNotification(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<int>()), Times.Never);
    }

    [Test]
    public async Task CopyingASegmentThatIsGoneReturnsToTheList()
    {
        var result = (RedirectToActionResult)await _controller.Copy(404, "Copy");

        Assert.That(result.ActionName, Is.EqualTo("List"));
        _copyService.Verify(c => c.CopySegmentAsync(It.IsAny<Segment>(), It.IsAny<string>()), Times.Never);
    }

    #endregion

    #region Rule builder

    [Test]
    public async Task PreviewReturnsTheCountAndTheFirstMembers()
    {
        _previewService.Setup(p => p.PreviewAsync("{rule}", 5, 2, CustomerSegmentsAdminController.PreviewSampleSize, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SegmentPreviewResult([], 1234, [9, 8]));
        _customerService.Setup(c => c.GetCustomersByIdsAsync(It.Is<int[]>(ids => ids.SequenceEqual(new[] { 9, 8 }))))
            .ReturnsAsync([new Customer { Id = 8, Email = "b@example.com" }, new Customer { Id = 9, Email = null }]);

        var json = JsonOf(await _controller.Preview("{rule}", 5, 2));

        Assert.That(json.GetProperty("success").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("count").GetInt32(), Is.EqualTo(1234));
        var members = json.GetProperty("members").EnumerateArray().ToList();
        Assert.That(members.Select(m => m.GetProperty("id").GetInt32()), Is.EqualTo(new[] { 9, 8 }), "in the preview's order");
        Assert.That(members[0].GetProperty("email").GetString(), Is.EqualTo("[Admin.Customers.Guest]"));
        Assert.That(members[1].GetProperty("email").GetString(), Is.EqualTo("b@example.com"));
    }

    /// <summary>
    /// The live preview reports an unreadable rule in the admin's language too
    /// </summary>
    [Test]
    public async Task PreviewReportsAnUnreadableRuleInTheAdminsLanguage()
    {
        var preview = new SegmentPreviewService(Mock.Of<ISegmentRuleQueryBuilder>(), new SegmentRuleSerializer(), RealValidator());
        var controller = NewController(preview: preview);

        var json = JsonOf(await controller.Preview("{", 0, 0));

        Assert.That(json.GetProperty("success").GetBoolean(), Is.False);
        Assert.That(json.GetProperty("errors").EnumerateArray().Single().GetProperty("message").GetString(),
            Does.Contain("[Plugins.Misc.CustomerSegments.Rules.Error.JsonMalformed]"));
    }

    /// <summary>
    /// The preview of a rule saved before the limit of conditions on other tables reports the limit, without a query
    /// </summary>
    [Test]
    public async Task PreviewOfARuleSavedOverTheTableConditionLimitReportsTheLimit()
    {
        var preview = new SegmentPreviewService(new Mock<ISegmentRuleQueryBuilder>(MockBehavior.Strict).Object, new SegmentRuleSerializer(), RealValidator());
        var controller = NewController(preview: preview);

        var json = JsonOf(await controller.Preview(OverTheTableConditionLimit(), 5, 0));

        Assert.That(json.GetProperty("success").GetBoolean(), Is.False);
        var error = json.GetProperty("errors").EnumerateArray().Single();
        Assert.That(error.GetProperty("path").GetString(), Is.EqualTo(string.Empty));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain("[Plugins.Misc.CustomerSegments.Rules.Error.TooManyTableConditions]"));
    }

    [Test]
    public async Task PreviewReturnsValidationErrorsWithTheirPath()
    {
        _previewService.Setup(p => p.PreviewAsync("{rule}", 0, 0, It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SegmentPreviewResult([new RuleValidationError("1.0", "k", "Enter a number")], 0, []));

        var json = JsonOf(await _controller.Preview("{rule}", 0, 0));

        Assert.That(json.GetProperty("success").GetBoolean(), Is.False);
        var error = json.GetProperty("errors").EnumerateArray().Single();
        Assert.That(error.GetProperty("path").GetString(), Is.EqualTo("1.0"));
        Assert.That(error.GetProperty("message").GetString(), Is.EqualTo("Enter a number"));
    }

    [Test]
    public async Task PreviewThatRunsOutOfTimeSaysSo()
    {
        CancellationToken passed = default;
        _previewService.Setup(p => p.PreviewAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<int>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .Returns(async (string _, int _, int _, int _, CancellationToken token) =>
            {
                passed = token;
                await Task.Delay(Timeout.Infinite, token);
                return null;
            });
        using var aborted = new CancellationTokenSource();
        _controller.HttpContext.RequestAborted = aborted.Token;
        aborted.CancelAfter(50);

        var json = JsonOf(await _controller.Preview("{rule}", 0, 0));

        Assert.That(json.GetProperty("timedOut").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("message").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.RuleBuilder.Preview.TimedOut]"));
        Assert.That(passed.CanBeCanceled, Is.True, "the preview gets a token with the time limit");
    }

    [Test]
    public async Task LookupRefusesAnUnknownSource()
    {
        var result = await _controller.LookupValues("passwords", null);

        Assert.That(_controller.Response.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
        Assert.That(JsonOf(result).GetProperty("error").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.RuleBuilder.Lookup.UnknownSource]"));
        _lookupService.VerifyNoOtherCalls();
    }

    [Test]
    public async Task LookupSearchesOnePageOfASource()
    {
        _lookupService.Setup(l => l.SearchAsync(RuleValueSource.StateProvinces, "ber", 7, 2, CustomerSegmentsAdminController.LookupPageSize))
            .ReturnsAsync(new ValueLookupPage([new ValueLookupItem(3, "Berlin")], true));

        var json = JsonOf(await _controller.LookupValues("stateProvinces", " ber ", 7, 2));

        Assert.That(json.GetProperty("more").GetBoolean(), Is.True);
        var item = json.GetProperty("items").EnumerateArray().Single();
        Assert.That(item.GetProperty("id").GetInt32(), Is.EqualTo(3));
        Assert.That(item.GetProperty("name").GetString(), Is.EqualTo("Berlin"));
    }

    [Test]
    public async Task LookupNamesTheIdsOfASavedRule()
    {
        _lookupService.Setup(l => l.GetNamesAsync(RuleValueSource.Countries, It.Is<IList<int>>(ids => ids.SequenceEqual(new[] { 4, 9 }))))
            .ReturnsAsync([new ValueLookupItem(4, "France")]);

        var json = JsonOf(await _controller.LookupValues("Countries", null, ids: "4, 9,x,-1,4"));

        Assert.That(json.GetProperty("items").EnumerateArray().Single().GetProperty("name").GetString(), Is.EqualTo("France"));
    }

    /// <summary>
    /// A rule naming a product deleted since still selects its buyers: the rule builder names it, marked as deleted
    /// </summary>
    [Test]
    public async Task LookupNamesADeletedProductOfASavedRuleAsDeleted()
    {
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Fields.Value.Deleted")).ReturnsAsync("{0} (deleted)");
        _lookupService.Setup(l => l.GetNamesAsync(RuleValueSource.Products, It.Is<IList<int>>(ids => ids.SequenceEqual(new[] { 7, 8 }))))
            .ReturnsAsync([new ValueLookupItem(7, "Old mug", Deleted: true), new ValueLookupItem(8, "New mug")]);

        var json = JsonOf(await _controller.LookupValues("Products", null, ids: "7,8"));

        Assert.That(json.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("name").GetString()),
            Is.EqualTo(new[] { "Old mug (deleted)", "New mug" }));
    }

    [Test]
    public async Task LookupNamesAStoreOfASavedRuleThatIsGoneAsADeletedStore()
    {
        _lookupService.Setup(l => l.GetByIdsAsync(RuleValueSource.Stores, It.Is<IList<int>>(ids => ids.SequenceEqual(new[] { 1, 2 }))))
            .ReturnsAsync([new ValueLookupItem(1, "Main store")]);

        var json = JsonOf(await _controller.LookupValues("Stores", null, ids: "1,2"));

        Assert.That(json.GetProperty("items").EnumerateArray().Select(item => (item.GetProperty("id").GetInt32(), item.GetProperty("name").GetString())),
            Is.EqualTo(new[] { (1, "Main store"), (2, "[Plugins.Misc.CustomerSegments.Fields.Store.Deleted]") }));
    }

    #endregion

    #region Members

    [Test]
    public async Task RebuildNowStartsABackgroundRunOfDynamicSegmentsOnly()
    {
        var dynamicSegment = new Segment { Id = 1, SegmentTypeId = (int)SegmentType.Dynamic };
        var staticSegment = new Segment { Id = 2, SegmentTypeId = (int)SegmentType.Static };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(1)).ReturnsAsync(dynamicSegment);
        _segmentService.Setup(s => s.GetSegmentByIdAsync(2)).ReturnsAsync(staticSegment);

        var started = await _controller.Rebuild(1);
        var refused = await _controller.Rebuild(2);

        _rebuildRunService.Verify(r => r.StartAsync(dynamicSegment), Times.Once);
        _rebuildRunService.Verify(r => r.StartAsync(staticSegment), Times.Never);
        Assert.That(((RedirectToActionResult)started).ActionName, Is.EqualTo("Edit"));
        Assert.That(((RedirectToActionResult)refused).ActionName, Is.EqualTo("Edit"));
        _notificationService.Verify(n => n.WarningNotification("[Plugins.Misc.CustomerSegments.Segments.Rebuild.OnlyDynamic]", true, 0));
    }

    [Test]
    public async Task RebuildProgressSaysThereIsNoRunYet()
    {
        var progress = JsonOf(await _controller.RebuildProgress(5));

        Assert.That(progress.GetProperty("state").GetString(), Is.EqualTo("none"));
        Assert.That(progress.GetProperty("finished").GetBoolean(), Is.True);
    }

    [Test]
    public async Task RebuildProgressReportsTheStepOfARunningRebuild()
    {
        _rebuildRunService.Setup(r => r.GetLatestRunAsync(5)).ReturnsAsync(new SegmentRebuildRun
        {
            SegmentId = 5, StateId = (int)SegmentRebuildRunState.Running, StepsDone = 1, StepsTotal = 2
        });
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Segments.Rebuild.Step.Members")).ReturnsAsync("Members ({0}/{1})");

        var progress = JsonOf(await _controller.RebuildProgress(5));

        Assert.That(progress.GetProperty("state").GetString(), Is.EqualTo("running"));
        Assert.That(progress.GetProperty("finished").GetBoolean(), Is.False);
        Assert.That(progress.GetProperty("percent").GetInt32(), Is.EqualTo(50));
        Assert.That(progress.GetProperty("message").GetString(), Is.EqualTo("Members (2/2)"));
        Assert.That(progress.GetProperty("finishedSecondsAgo").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task RebuildProgressReportsTheResultOrTheLocalizedError()
    {
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Segments.Rebuild.Done")).ReturnsAsync("{0} in, {1} out");
        _rebuildRunService.Setup(r => r.GetLatestRunAsync(5)).ReturnsAsync(new SegmentRebuildRun
        {
            SegmentId = 5, StateId = (int)SegmentRebuildRunState.Completed, StepsDone = 2, StepsTotal = 2, Entered = 77, Left = 3,
            FinishedOnUtc = DateTime.UtcNow.AddSeconds(-10)
        });
        _rebuildRunService.Setup(r => r.GetLatestRunAsync(6)).ReturnsAsync(new SegmentRebuildRun
        {
            SegmentId = 6, StateId = (int)SegmentRebuildRunState.Failed, StepsTotal = 2, ErrorResource = "Segments.Rebuild.InvalidRule",
            FinishedOnUtc = DateTime.UtcNow
        });

        var completed = JsonOf(await _controller.RebuildProgress(5));
        var failed = JsonOf(await _controller.RebuildProgress(6));

        Assert.That(completed.GetProperty("state").GetString(), Is.EqualTo("completed"));
        Assert.That(completed.GetProperty("percent").GetInt32(), Is.EqualTo(100));
        Assert.That(completed.GetProperty("message").GetString(), Is.EqualTo("77 in, 3 out"));
        Assert.That(completed.GetProperty("finishedSecondsAgo").GetInt32(), Is.InRange(9, 70));
        Assert.That(failed.GetProperty("state").GetString(), Is.EqualTo("failed"));
        Assert.That(failed.GetProperty("finished").GetBoolean(), Is.True);
        Assert.That(failed.GetProperty("message").GetString(), Is.EqualTo("[Plugins.Misc.CustomerSegments.Segments.Rebuild.InvalidRule]"));
    }

    [Test]
    public async Task RebuildProgressGivesTheDefaultTextWhenTheTranslationDoesNotFormat()
    {
        //an admin's translation with a placeholder the message has no argument for
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Segments.Rebuild.Done")).ReturnsAsync("{0} rein, {2} raus");
        _rebuildRunService.Setup(r => r.GetLatestRunAsync(5)).ReturnsAsync(new SegmentRebuildRun
        {
            SegmentId = 5, StateId = (int)SegmentRebuildRunState.Completed, StepsDone = 2, StepsTotal = 2, Entered = 77, Left = 3,
            FinishedOnUtc = DateTime.UtcNow
        });

        var completed = JsonOf(await _controller.RebuildProgress(5));

        Assert.That(completed.GetProperty("message").GetString(), Is.EqualTo("The segment's members are up to date: 77 customers entered, 3 left."));
    }

    [Test]
    public async Task SavingAnActiveDynamicSegmentStartsABackgroundRebuild()
    {
        ValidRule("{rule}");
        var segment = new Segment { Id = 5, Name = "Old", SegmentTypeId = (int)SegmentType.Dynamic };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        await _controller.Edit(new SegmentModel { Id = 5, Name = "New", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{rule}", Active = true }, false);
        await _controller.Edit(new SegmentModel { Id = 5, Name = "New", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{rule}", Active = false }, false);
        await _controller.Create(new SegmentModel { Name = "Added", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{rule}", Active = true }, false);
        await _controller.Create(new SegmentModel { Name = "Manual", SegmentTypeId = (int)SegmentType.Static, Active = true }, false);

        _rebuildRunService.Verify(r => r.StartAsync(segment), Times.Once);
        _rebuildRunService.Verify(r => r.StartAsync(It.Is<Segment>(added => added.Name == "Added")), Times.Once);
        _rebuildRunService.Verify(r => r.StartAsync(It.IsAny<Segment>()), Times.Exactly(2));
    }

    /// <summary>
    /// Which segments name it, and which of those a run brings along, is the run service's (see SegmentRebuildRunTests)
    /// </summary>
    [Test]
    public async Task SwitchingOffOrOnASegmentOthersNameRebuildsThem()
    {
        var picked = new Segment { Id = 2, Name = "Picked", SegmentTypeId = (int)SegmentType.Static, Active = true };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(2)).ReturnsAsync(picked);
        var startedWith = new List<Segment[]>();
        _rebuildRunService.Setup(r => r.StartWithReferencingSegmentsAsync(It.IsAny<IEnumerable<Segment>>()))
            .Callback((IEnumerable<Segment> segments) => startedWith.Add(segments.ToArray()))
            .ReturnsAsync([]);

        //the members of a segment switched off no longer count in the rules that name it
        await _controller.Edit(new SegmentModel { Id = 2, Name = "Picked", SegmentTypeId = (int)SegmentType.Static, Active = false }, false);
        Assert.That(startedWith, Has.Count.EqualTo(1));
        Assert.That(startedWith[0], Is.EqualTo(new[] { picked }));

        //nor does saving it again change anything; switched on, they count again
        await _controller.Edit(new SegmentModel { Id = 2, Name = "Renamed", SegmentTypeId = (int)SegmentType.Static, Active = false }, false);
        await _controller.Edit(new SegmentModel { Id = 2, Name = "Renamed", SegmentTypeId = (int)SegmentType.Static, Active = true }, false);
        Assert.That(startedWith, Has.Count.EqualTo(2));
        Assert.That(startedWith[1], Is.EqualTo(new[] { picked }));
        _rebuildRunService.Verify(r => r.StartAsync(It.IsAny<Segment>()), Times.Never, "a static segment is not rebuilt itself");
    }

    [Test]
    public async Task SwitchingOnADynamicSegmentRebuildsItWhoseRunBringsAlongTheSegmentsNamingIt()
    {
        var segment = new Segment { Id = 5, Name = "Acme", SegmentTypeId = (int)SegmentType.Dynamic, Active = false };
        ValidRule("{rule}");
        _segmentService.Setup(s => s.GetSegmentByIdAsync(5)).ReturnsAsync(segment);

        await _controller.Edit(new SegmentModel { Id = 5, Name = "Acme", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{rule}", Active = true }, false);

        _rebuildRunService.Verify(r => r.StartAsync(segment), Times.Once);
        _rebuildRunService.Verify(r => r.StartWithReferencingSegmentsAsync(It.IsAny<IEnumerable<Segment>>()), Times.Never);
    }

    [Test]
    public async Task MembersAreRemovedByHandFromStaticSegmentsOnly()
    {
        var staticSegment = new Segment { Id = 2, SegmentTypeId = (int)SegmentType.Static };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(2)).ReturnsAsync(staticSegment);
        _segmentService.Setup(s => s.GetSegmentByIdAsync(1)).ReturnsAsync(new Segment { Id = 1, SegmentTypeId = (int)SegmentType.Dynamic });

        await _controller.RemoveMember(id: 55, segmentId: 2);
        await _controller.RemoveMember(id: 55, segmentId: 1);

        _staticService.Verify(w => w.RemoveCustomersAsync(staticSegment, It.Is<IList<int>>(ids => ids.Single() == 55)), Times.Once);
        _staticService.VerifyNoOtherCalls();
    }

    [Test]
    public async Task AddedEmailsAreImportedAndReported()
    {
        var staticSegment = new Segment { Id = 2, SegmentTypeId = (int)SegmentType.Static };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(2)).ReturnsAsync(staticSegment);
        string imported = null;
        _staticService.Setup(c => c.ImportEmailsAsync(staticSegment, It.IsAny<Stream>()))
            .Callback<Segment, Stream>((_, stream) => imported = new StreamReader(stream).ReadToEnd())
            .ReturnsAsync(new EmailImportResult(1, 1, ["x@example.com"], [new CsvRowError(4, "not an email")], true));
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Members.Import.Report")).ReturnsAsync("{0}/{1}/{2}/{3}");
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Members.Import.NotFound")).ReturnsAsync("unknown: {0}");
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Members.Import.Invalid")).ReturnsAsync("lines: {0}");

        var result = await _controller.AddMembers(2, "a@example.com\nb@example.com\nx@example.com");

        Assert.That(imported, Is.EqualTo("a@example.com\nb@example.com\nx@example.com"));
        _notificationService.Verify(n => n.SuccessNotification("1/1/1/1", true, 0));
        _notificationService.Verify(n => n.WarningNotification("unknown: x@example.com", true, 0));
        _notificationService.Verify(n => n.WarningNotification("lines: 4", true, 0));
        _notificationService.Verify(n => n.WarningNotification("[Plugins.Misc.CustomerSegments.Members.Import.Truncated]", true, 0));
        Assert.That(((RedirectToActionResult)result).ActionName, Is.EqualTo("Edit"));
    }

    [Test]
    public async Task EmailsAreNotAddedToDynamicSegments()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(1)).ReturnsAsync(new Segment { Id = 1, SegmentTypeId = (int)SegmentType.Dynamic });

        var result = await _controller.AddMembers(1, "a@example.com");

        Assert.That(((RedirectToActionResult)result).ActionName, Is.EqualTo("List"));
        _staticService.VerifyNoOtherCalls();
    }

    [Test]
    public async Task ExportReturnsACsvFile()
    {
        var segment = new Segment { Id = 3 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(3)).ReturnsAsync(segment);
        _csvService.Setup(c => c.ExportMembersAsync(segment, It.IsAny<Stream>(), It.IsAny<CancellationToken>()))
            .Returns((Segment _, Stream stream, CancellationToken _) => stream.WriteAsync("a,b\r\n"u8.ToArray()).AsTask());

        var result = (FileStreamResult)await _controller.ExportMembers(3);

        Assert.That(result.ContentType, Is.EqualTo("text/csv"));
        Assert.That(result.FileDownloadName, Does.StartWith("segment-3-members-").And.EndWith(".csv"));
        var path = ((FileStream)result.FileStream).Name;
        Assert.That(new StreamReader(result.FileStream).ReadToEnd(), Is.EqualTo("a,b\r\n"));
        result.FileStream.Dispose();
        Assert.That(File.Exists(path), Is.False, "the temporary file goes with the response");
    }

    /// <summary>
    /// An admin who leaves the page (or closes the browser) stops the export: the request's abort reaches the query
    /// </summary>
    [Test]
    public async Task TheExportStopsWhenTheRequestIsAborted()
    {
        var segment = new Segment { Id = 3 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(3)).ReturnsAsync(segment);
        using var aborted = new CancellationTokenSource();
        _controller.HttpContext.RequestAborted = aborted.Token;
        var received = CancellationToken.None;
        _csvService.Setup(c => c.ExportMembersAsync(segment, It.IsAny<Stream>(), It.IsAny<CancellationToken>()))
            .Returns((Segment _, Stream _, CancellationToken token) =>
            {
                received = token;
                return Task.CompletedTask;
            });

        ((FileStreamResult)await _controller.ExportMembers(3)).FileStream.Dispose();

        Assert.That(received, Is.EqualTo(aborted.Token));
    }

    /// <summary>
    /// An export that fails half way (a command timeout on a large segment, a lost connection) removes its temporary
    /// file at once: it was left open on the disk, with the members written so far, until the garbage collector ran
    /// </summary>
    [Test]
    public void AFailedExportLeavesNoTemporaryFileBehind()
    {
        var segment = new Segment { Id = 3 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(3)).ReturnsAsync(segment);
        FileStream written = null;
        _csvService.Setup(c => c.ExportMembersAsync(segment, It.IsAny<Stream>(), It.IsAny<CancellationToken>()))
            .Returns(async (Segment _, Stream stream, CancellationToken _) =>
            {
                written = (FileStream)stream;
                await stream.WriteAsync("CustomerId,Email\r\n1,a@example.com\r\n"u8.ToArray());
                await stream.FlushAsync();
                throw new TimeoutException("the database did not answer");
            });

        Assert.ThrowsAsync<TimeoutException>(() => _controller.ExportMembers(3));

        Assert.That(written, Is.Not.Null);
        Assert.That(written.CanRead, Is.False, "the file is closed");
        Assert.That(File.Exists(written.Name), Is.False, "the members written so far are gone");
    }

    #endregion

    #region Settings and analytics

    private static ConfigurationModel ValidConfiguration(bool widgetEnabled, params string[] zones) => new()
    {
        PurchasePaymentStatusIds = [(int)PaymentStatus.Paid],
        RebuildIntervalMinutes = 60,
        RfmWindowDays = 365,
        WidgetEnabled = widgetEnabled,
        WidgetZones = zones.ToList()
    };

    [Test]
    public async Task ConfigureSavesTheShopperWidgetAndItsZonesInTheListsOrder()
    {
        var result = await _controller.Configure(ValidConfiguration(true, "productdetails_top", " HOME_PAGE_TOP ", "productdetails_top", ""));

        Assert.That(result, Is.InstanceOf<RedirectToActionResult>());
        Assert.That(_settings.WidgetEnabled, Is.True);
        Assert.That(_settings.WidgetZones, Is.EqualTo(new[] { "home_page_top", "productdetails_top" }));
        _settingService.Verify(s => s.SaveSettingAsync(_settings, 0));
    }

    [Test]
    public async Task ConfigureSwitchesTheWidgetOffAndKeepsTheChosenZones()
    {
        _settings.WidgetEnabled = true;

        await _controller.Configure(ValidConfiguration(false, "home_page_top"));

        Assert.That(_settings.WidgetEnabled, Is.False);
        Assert.That(_settings.WidgetZones, Is.EqualTo(new[] { "home_page_top" }));
    }

    [TestCase(true, "admin_customer_details_block")]
    [TestCase(false, "home_page_top", "<script>")]
    [TestCase(true)]
    public async Task ConfigureRefusesZonesNotInTheListOrAnEnabledWidgetWithoutZones(bool enabled, params string[] zones)
    {
        _settings.WidgetZones = ["footer"];

        var result = await _controller.Configure(ValidConfiguration(enabled, zones));

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState[nameof(ConfigurationModel.WidgetZones)]!.Errors.Single().ErrorMessage,
            Is.EqualTo(zones.Length == 0 ? "[Plugins.Misc.CustomerSegments.Configuration.WidgetZones.Required]" : "[Plugins.Misc.CustomerSegments.Configuration.WidgetZones.Invalid]"));
        Assert.That(_settings.WidgetEnabled, Is.False);
        Assert.That(_settings.WidgetZones, Is.EqualTo(new[] { "footer" }));
        _settingService.Verify(s => s.SaveSettingAsync(It.IsAny<CustomerSegmentsSettings>(), It.IsAny<int>()), Times.Never);
    }

    [Test]
    public async Task ConfigureSavesValidSettingsAndMovesTheScheduledRebuild()
    {
        var task = new ScheduleTask { Type = CustomerSegmentsDefaults.RebuildTaskType, Seconds = 3600 };
        _scheduleTaskService.Setup(s => s.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType)).ReturnsAsync(task);

        var result = await _controller.Configure(new ConfigurationModel
        {
            PurchasePaymentStatusIds = [(int)PaymentStatus.Paid, (int)PaymentStatus.Authorized, (int)PaymentStatus.Paid],
            ExcludedOrderStatusIds = [(int)OrderStatus.Cancelled],
            IncludeGuests = true,
            RebuildIntervalMinutes = 15,
            FullRebuildIntervalHours = 6,
            RfmWindowDays = 180
        });

        Assert.That(result, Is.InstanceOf<RedirectToActionResult>());
        Assert.That(_settings.PurchasePaymentStatusIds, Is.EqualTo(new[] { (int)PaymentStatus.Paid, (int)PaymentStatus.Authorized }));
        Assert.That(_settings.IncludeGuests, Is.True);
        Assert.That(_settings.RebuildIntervalSeconds, Is.EqualTo(900));
        Assert.That(_settings.RfmWindowDays, Is.EqualTo(180));
        Assert.That(_settings.FullRebuildIntervalHours, Is.EqualTo(6));
        _settingService.Verify(s => s.SaveSettingAsync(_settings, 0));
        _scheduleTaskService.Verify(s => s.UpdateTaskAsync(It.Is<ScheduleTask>(t => t.Seconds == 900)));
    }

    /// <summary>
    /// nopCommerce's task scheduler sets each task's timer from its row once, at application start (TaskScheduler.InitializeAsync):
    /// a new interval saved in the row applies after a restart, which the admin is told, as nopCommerce's task list does
    /// </summary>
    [TestCase(15, true)]
    [TestCase(60, false)]
    public async Task ConfigureSaysANewRebuildIntervalAppliesAfterARestart(int minutes, bool changed)
    {
        var task = new ScheduleTask { Type = CustomerSegmentsDefaults.RebuildTaskType, Seconds = 3600 };
        _scheduleTaskService.Setup(s => s.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType)).ReturnsAsync(task);

        await _controller.Configure(new ConfigurationModel
        {
            PurchasePaymentStatusIds = [(int)PaymentStatus.Paid],
            ExcludedOrderStatusIds = [(int)OrderStatus.Cancelled],
            RebuildIntervalMinutes = minutes,
            FullRebuildIntervalHours = 24,
            RfmWindowDays = 365
        });

        _notificationService.Verify(n => n.WarningNotification("[Plugins.Misc.CustomerSegments.Configuration.RebuildIntervalMinutes.RestartRequired]", true, 0),
            changed ? Times.Once() : Times.Never());
    }

    [TestCase(0, 365, new[] { 30 }, 24)]
    [TestCase(60, 0, new[] { 30 }, 24)]
    [TestCase(60, 365, new int[0], 24)]
    [TestCase(60, 365, new[] { 12345 }, 24)]
    [TestCase(60, 365, new[] { 30 }, -1)]
    [TestCase(60, 365, new[] { 30 }, 721)]
    public async Task ConfigureRefusesInvalidSettings(int minutes, int rfmDays, int[] paymentStatuses, int fullRebuildHours)
    {
        var result = await _controller.Configure(new ConfigurationModel
        {
            PurchasePaymentStatusIds = paymentStatuses.ToList(),
            RebuildIntervalMinutes = minutes,
            FullRebuildIntervalHours = fullRebuildHours,
            RfmWindowDays = rfmDays
        });

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState.IsValid, Is.False);
        _settingService.Verify(s => s.SaveSettingAsync(It.IsAny<CustomerSegmentsSettings>(), It.IsAny<int>()), Times.Never);
        Assert.That(_settings.RebuildIntervalSeconds, Is.EqualTo(CustomerSegmentsDefaults.DefaultRebuildIntervalSeconds));
    }

    [Test]
    public async Task ConfigureAndTheSegmentFormLocalizeAValueMvcCouldNotBind()
    {
        //"99999999999" in a number field: MVC leaves the field 0 (a valid "off" here) with an English error
        _controller.ModelState.SetModelValue(nameof(ConfigurationModel.FullRebuildIntervalHours), "99999999999", "99999999999");
        _controller.ModelState.AddModelError(nameof(ConfigurationModel.FullRebuildIntervalHours), "The value '99999999999' is not valid for FullRebuildIntervalHours.");

        var result = await _controller.Configure(new ConfigurationModel { PurchasePaymentStatusIds = [30], RebuildIntervalMinutes = 60, RfmWindowDays = 365 });

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState[nameof(ConfigurationModel.FullRebuildIntervalHours)].Errors.Select(e => e.ErrorMessage),
            Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.Fields.Value.Invalid]" }));
        _settingService.Verify(s => s.SaveSettingAsync(It.IsAny<CustomerSegmentsSettings>(), It.IsAny<int>()), Times.Never);

        _controller = NewController();
        _controller.ModelState.SetModelValue(nameof(SegmentModel.StoreId), "abc", "abc");
        _controller.ModelState.AddModelError(nameof(SegmentModel.StoreId), "The value 'abc' is not valid for StoreId.");

        result = await _controller.Create(new SegmentModel { Name = "Loyal", SegmentTypeId = (int)SegmentType.Static }, false);

        Assert.That(result, Is.InstanceOf<ViewResult>());
        Assert.That(_controller.ModelState[nameof(SegmentModel.StoreId)].Errors.Select(e => e.ErrorMessage),
            Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.Fields.Value.Invalid]" }));
        _segmentService.Verify(s => s.InsertSegmentAsync(It.IsAny<Segment>()), Times.Never);
    }

    [Test]
    public async Task AnalyticsGathersAllMeasuresForTheCharts()
    {
        var segment = new Segment { Id = 4, StoreId = 2 };
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(segment);
        _segmentService.Setup(s => s.GetSegmentsByIdsAsync(It.IsAny<IList<int>>())).ReturnsAsync([new Segment { Id = 8, Name = "Other" }]);
        _analyticsService.Setup(a => a.GetSizeOverTimeAsync(4, It.IsAny<DateTime>(), It.IsAny<DateTime>()))
            .ReturnsAsync([new SegmentSizePoint(new DateTime(2026, 1, 2), 10)]);
        _analyticsService.Setup(a => a.GetRevenueShareAsync(4, 2, null, null)).ReturnsAsync(new SegmentRevenueShare(10, 5, 50m, 100, 16, 20, 400m));
        var counts = new int[5, 5];
        counts[4, 0] = 3;
        _analyticsService.Setup(a => a.GetRfmGridAsync(4, 2)).ReturnsAsync(new RfmGrid(counts, 7, 365));
        _analyticsService.Setup(a => a.GetHistogramAsync(4, 2, SegmentHistogramField.Age, It.IsAny<DateTime>(), null))
            .ReturnsAsync([new HistogramBucket(0, 18, 2), new HistogramBucket(null, null, 1)]);
        _analyticsService.Setup(a => a.GetOverlapAsync(4)).ReturnsAsync([new SegmentOverlap(8, 6), new SegmentOverlap(99, 1)]);
        //on the edit page of segment 4 routing would keep its id for a link made without one
        var url = new Mock<IUrlHelper>();
        url.Setup(u => u.Action(It.IsAny<UrlActionContext>())).Returns((UrlActionContext context) =>
            $"/Admin/CustomerSegmentsAdmin/{context.Action}/{new RouteValueDictionary(context.Values).GetValueOrDefault("id") ?? 4}");
        _controller.Url = url.Object;

        var json = JsonOf(await _controller.Analytics(4, "age"));

        Assert.That(json.GetProperty("size")[0].GetProperty("date").GetString(), Is.EqualTo("2026-01-02"));
        Assert.That(json.GetProperty("revenue").GetProperty("revenueShare").GetDecimal(), Is.EqualTo(0.125m));
        Assert.That(json.GetProperty("revenue").GetProperty("memberAverageOrderValue").GetDecimal(), Is.EqualTo(10m));
        Assert.That(json.GetProperty("rfm").GetProperty("counts")[4][0].GetInt32(), Is.EqualTo(3));
        Assert.That(json.GetProperty("rfm").GetProperty("withoutPurchases").GetInt32(), Is.EqualTo(7));
        Assert.That(json.GetProperty("histogram").GetProperty("field").GetString(), Is.EqualTo("Age"));
        Assert.That(json.GetProperty("histogram").GetProperty("buckets")[1].GetProperty("from").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var overlap = json.GetProperty("overlap").EnumerateArray().Single();
        Assert.That(overlap.GetProperty("name").GetString(), Is.EqualTo("Other"), "a segment deleted meanwhile is left out");
        Assert.That(overlap.GetProperty("shared").GetInt32(), Is.EqualTo(6));
        Assert.That(overlap.GetProperty("url").GetString(), Is.EqualTo("/Admin/CustomerSegmentsAdmin/Edit/8"), "the other segment's page");
    }

    [Test]
    public async Task AnalyticsPassesTheChosenNumberOfHistogramBuckets()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4 });
        _segmentService.Setup(s => s.GetSegmentsByIdsAsync(It.IsAny<IList<int>>())).ReturnsAsync([]);
        _analyticsService.Setup(a => a.GetSizeOverTimeAsync(4, It.IsAny<DateTime>(), It.IsAny<DateTime>())).ReturnsAsync([]);
        _analyticsService.Setup(a => a.GetOverlapAsync(4)).ReturnsAsync([]);
        _analyticsService.Setup(a => a.GetRfmGridAsync(4, 0)).ReturnsAsync(new RfmGrid(new int[5, 5], 0, 365));
        _analyticsService.Setup(a => a.GetRevenueShareAsync(4, 0, null, null)).ReturnsAsync(new SegmentRevenueShare(0, 0, 0, 0, 0, 0, 0));
        _analyticsService.Setup(a => a.GetHistogramAsync(4, 0, SegmentHistogramField.OrderCount, It.IsAny<DateTime>(), 6)).ReturnsAsync([new HistogramBucket(0, 1, 9)]);

        var json = JsonOf(await _controller.Analytics(4, "OrderCount", 6));

        Assert.That(json.GetProperty("histogram").GetProperty("bucketCount").GetInt32(), Is.EqualTo(6));
        Assert.That(json.GetProperty("histogram").GetProperty("buckets")[0].GetProperty("members").GetInt32(), Is.EqualTo(9));
    }

    /// <summary>
    /// Amounts reach the page as nopCommerce's admin shows order totals (in the primary store currency, formatted)
    /// </summary>
    [Test]
    public async Task AmountsAreFormattedAsOrderTotals()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4 });
        _analyticsService.Setup(a => a.GetHistogramAsync(4, 0, SegmentHistogramField.TotalSpent, It.IsAny<DateTime>(), null))
            .ReturnsAsync([new HistogramBucket(0m, 1500m, 3), new HistogramBucket(1500m, null, 1)]);
        _analyticsService.Setup(a => a.GetHistogramAsync(4, 0, SegmentHistogramField.OrderCount, It.IsAny<DateTime>(), null))
            .ReturnsAsync([new HistogramBucket(0, 1, 2)]);
        _analyticsService.Setup(a => a.GetRevenueShareAsync(4, 0, It.IsAny<DateTime?>(), null)).ReturnsAsync(new SegmentRevenueShare(10, 4, 50m, 100, 16, 20, 400m));

        var spent = JsonOf(await _controller.Analytics(4, "TotalSpent", histogramOnly: true)).GetProperty("histogram").GetProperty("buckets");
        var orders = JsonOf(await _controller.Analytics(4, "OrderCount", histogramOnly: true)).GetProperty("histogram").GetProperty("buckets");
        var revenue = JsonOf(await _controller.Analytics(4, revenueDays: 30, revenueOnly: true)).GetProperty("revenue");

        Assert.That((spent[0].GetProperty("fromText").GetString(), spent[0].GetProperty("toText").GetString()), Is.EqualTo(("$0.00", "$1,500.00")));
        Assert.That(spent[1].GetProperty("toText").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(orders[0].GetProperty("fromText").ValueKind, Is.EqualTo(JsonValueKind.Null), "a number of orders is no amount");
        Assert.That(revenue.GetProperty("memberAverageOrderValueText").GetString(), Is.EqualTo("$12.50"));
        Assert.That(revenue.GetProperty("shopAverageOrderValueText").GetString(), Is.EqualTo("$20.00"));
    }

    [Test]
    public async Task AChangedHistogramIsReadAloneWithoutTheOtherFigures()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4, StoreId = 2 });
        _analyticsService.Setup(a => a.GetHistogramAsync(4, 2, SegmentHistogramField.Age, It.IsAny<DateTime>(), 5)).ReturnsAsync([new HistogramBucket(18, 30, 7)]);

        var json = JsonOf(await _controller.Analytics(4, "Age", 5, histogramOnly: true));

        Assert.That(json.GetProperty("histogram").GetProperty("field").GetString(), Is.EqualTo("Age"));
        Assert.That(json.GetProperty("histogram").GetProperty("buckets")[0].GetProperty("members").GetInt32(), Is.EqualTo(7));
        Assert.That(json.TryGetProperty("revenue", out _), Is.False, "the revenue share, the slowest figure, is not read again");
        _analyticsService.Verify(a => a.GetHistogramAsync(4, 2, SegmentHistogramField.Age, It.IsAny<DateTime>(), 5), Times.Once);
        _analyticsService.VerifyNoOtherCalls();
    }

    [Test]
    public async Task AChangedRevenuePeriodIsReadAloneOverThoseDays()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4, StoreId = 2 });
        DateTime? fromUtc = null;
        _analyticsService.Setup(a => a.GetRevenueShareAsync(4, 2, It.IsAny<DateTime?>(), null))
            .Callback((int _, int _, DateTime? from, DateTime? _) => fromUtc = from)
            .ReturnsAsync(new SegmentRevenueShare(10, 5, 50m, 100, 16, 20, 400m));

        var before = DateTime.UtcNow;
        var json = JsonOf(await _controller.Analytics(4, "Age", revenueDays: 30, revenueOnly: true));

        Assert.That(json.GetProperty("revenue").GetProperty("revenueShare").GetDecimal(), Is.EqualTo(0.125m));
        Assert.That(json.TryGetProperty("histogram", out _), Is.False, "the other figures are not read again");
        Assert.That(fromUtc, Is.InRange(before.AddDays(-30), DateTime.UtcNow.AddDays(-30)), "the last 30 days");
        _analyticsService.Verify(a => a.GetRevenueShareAsync(4, 2, It.IsAny<DateTime?>(), null), Times.Once);
        _analyticsService.VerifyNoOtherCalls();
    }

    [Test]
    public async Task AllFiguresReadTheRevenueOfThePeriodChosen()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4 });
        _segmentService.Setup(s => s.GetSegmentsByIdsAsync(It.IsAny<IList<int>>())).ReturnsAsync([]);
        _analyticsService.Setup(a => a.GetSizeOverTimeAsync(4, It.IsAny<DateTime>(), It.IsAny<DateTime>())).ReturnsAsync([]);
        _analyticsService.Setup(a => a.GetOverlapAsync(4)).ReturnsAsync([]);
        _analyticsService.Setup(a => a.GetRfmGridAsync(4, 0)).ReturnsAsync(new RfmGrid(new int[5, 5], 0, 365));
        _analyticsService.Setup(a => a.GetHistogramAsync(4, 0, SegmentHistogramField.TotalSpent, It.IsAny<DateTime>(), null)).ReturnsAsync([]);
        DateTime? fromUtc = null;
        _analyticsService.Setup(a => a.GetRevenueShareAsync(4, 0, It.IsNotNull<DateTime?>(), null))
            .Callback((int _, int _, DateTime? from, DateTime? _) => fromUtc = from)
            .ReturnsAsync(new SegmentRevenueShare(1, 1, 5m, 10, 4, 4, 20m));

        var before = DateTime.UtcNow;
        var json = JsonOf(await _controller.Analytics(4, revenueDays: 365));

        Assert.That(json.GetProperty("revenue").GetProperty("revenueShare").GetDecimal(), Is.EqualTo(0.25m));
        Assert.That(fromUtc, Is.InRange(before.AddDays(-365), DateTime.UtcNow.AddDays(-365)));
    }

    [TestCase(-1)]
    [TestCase(CustomerSegmentsAdminController.MaxRevenueDays + 1)]
    public async Task AnalyticsRefusesARevenuePeriodOutOfRange(int revenueDays)
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4 });
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Analytics.Revenue.Period.Range")).ReturnsAsync("1 to {0} days");

        var json = JsonOf(await _controller.Analytics(4, revenueDays: revenueDays, revenueOnly: true));

        Assert.That(_controller.Response.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo($"1 to {CustomerSegmentsAdminController.MaxRevenueDays} days"));
        _analyticsService.VerifyNoOtherCalls();
    }

    /// <summary>
    /// The page sends the bars box with every request: a wrong number there does not hold up a new revenue period
    /// </summary>
    [Test]
    public async Task AWrongNumberOfBarsDoesNotHoldUpTheRevenue()
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4 });
        _analyticsService.Setup(a => a.GetRevenueShareAsync(4, 0, It.IsAny<DateTime?>(), null)).ReturnsAsync(new SegmentRevenueShare(10, 5, 50m, 100, 16, 20, 400m));

        var json = JsonOf(await _controller.Analytics(4, "Age", buckets: 1, revenueDays: 30, revenueOnly: true));

        Assert.That(_controller.Response.StatusCode, Is.Not.EqualTo(StatusCodes.Status400BadRequest));
        Assert.That(json.GetProperty("revenue").GetProperty("revenueShare").GetDecimal(), Is.EqualTo(0.125m));
    }

    [TestCase(1)]
    [TestCase(0)]
    [TestCase(HistogramBucketLimits.Max + 1)]
    public async Task AnalyticsRefusesANumberOfBucketsOutOfRange(int buckets)
    {
        _segmentService.Setup(s => s.GetSegmentByIdAsync(4)).ReturnsAsync(new Segment { Id = 4 });
        _localizationService.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Analytics.Histogram.Buckets.Range")).ReturnsAsync("From {0} to {1}");

        var json = JsonOf(await _controller.Analytics(4, "Age", buckets));

        Assert.That(_controller.Response.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo($"From {HistogramBucketLimits.Min} to {HistogramBucketLimits.Max}"));
        _analyticsService.VerifyNoOtherCalls();
    }

    #endregion
}
