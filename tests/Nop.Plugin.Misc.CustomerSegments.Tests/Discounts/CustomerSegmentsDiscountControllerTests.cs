using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Discounts;
using Nop.Core.Domain.Vendors;
using Nop.Plugin.Misc.CustomerSegments.Controllers;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Discounts;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

public class CustomerSegmentsDiscountControllerTests
{
    private DiscountRuleHarness _h;
    private Mock<IDiscountService> _discountService;
    private List<DiscountRequirement> _requirements;
    private CustomerSegmentsDiscountController _controller;
    private Mock<IPluginLimitsAdvisor> _pluginLimits;

    [SetUp]
    public void SetUp()
    {
        _h = new DiscountRuleHarness();
        _h.AddSegment(1, "Loyal");
        _h.AddSegment(2, "Big spenders");
        _h.AddSegment(3, "Dormant", active: false);

        _requirements = [];
        _pluginLimits = new Mock<IPluginLimitsAdvisor>();
        _discountService = new Mock<IDiscountService>();
        _discountService.Setup(d => d.GetDiscountByIdAsync(5)).ReturnsAsync(new Discount { Id = 5, Name = "VIP" });
        _discountService.Setup(d => d.GetDiscountRequirementByIdAsync(It.IsAny<int>()))
            .ReturnsAsync((int id) => _requirements.SingleOrDefault(r => r.Id == id));
        _discountService.Setup(d => d.InsertDiscountRequirementAsync(It.IsAny<DiscountRequirement>()))
            .Callback((DiscountRequirement r) => { r.Id = 40 + _requirements.Count; _requirements.Add(r); })
            .Returns(Task.CompletedTask);

        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => $"[{key}] {{0}}");

        _controller = new CustomerSegmentsDiscountController(new DiscountRequirementFormErrorFactory(localization.Object, LocaleResourceFormatters.Over(localization.Object)), _discountService.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), _pluginLimits.Object, _h.Store,
            new SegmentRequirementValidator(localization.Object, LocaleResourceFormatters.Over(localization.Object), _h.SegmentService.Object), _h.SegmentService.Object, Mock.Of<IWorkContext>())
        {
            ControllerContext = new ControllerContext { HttpContext = new DefaultHttpContext() }
        };
    }

    private static JsonElement Body(IActionResult result) => JsonSerializer.SerializeToElement(((OkObjectResult)result).Value);

    private static string[] Errors(IActionResult result) =>
        Body(result).TryGetProperty("Errors", out var errors) ? errors.EnumerateArray().Select(e => e.GetString()).ToArray() : [];

    private void NothingSaved()
    {
        Assert.That(_h.SavedSettings, Is.Empty);
        _discountService.Verify(d => d.InsertDiscountRequirementAsync(It.IsAny<DiscountRequirement>()), Times.Never);
    }

    [Test]
    public async Task ANewRequirementIsCreatedForOurRuleAndItsConfigurationSaved()
    {
        var result = await _controller.Configure(new SegmentRequirementModel
        {
            DiscountId = 5, IncludeSegmentIds = [2, 1], RequireAll = true, ExcludeSegmentIds = [3]
        });

        Assert.That(Errors(result), Is.Empty);
        var requirement = _requirements.Single();
        Assert.That(Body(result).GetProperty("NewRequirementId").GetInt32(), Is.EqualTo(requirement.Id));
        Assert.That(requirement.DiscountId, Is.EqualTo(5));
        Assert.That(requirement.DiscountRequirementRuleSystemName, Is.EqualTo(CustomerSegmentsDefaults.SystemName));

        var saved = await _h.Store.GetAsync(requirement.Id);
        Assert.That(saved.IncludeSegmentIds, Is.EqualTo(new[] { 2, 1 }));
        Assert.That(saved.RequireAll, Is.True);
        Assert.That(saved.ExcludeSegmentIds, Is.EqualTo(new[] { 3 }));
        //saved as asked, and the form says at once that the inactive segment fails the requirement until activated
        Assert.That(Body(result).GetProperty("Warnings").EnumerateArray().Select(w => w.GetString()),
            Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.SegmentInactive] Dormant" }));
    }

    [Test]
    public async Task AnEmptyIncludeListIsRefused()
    {
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, ExcludeSegmentIds = [3] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.IncludeRequired] {0}" }));
        NothingSaved();
    }

    [Test]
    public async Task UnknownSegmentsAreRefused()
    {
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1, 77], ExcludeSegmentIds = [78] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.UnknownSegments] 77, 78" }));
        NothingSaved();
    }

    [Test]
    public async Task AThousandUnknownSegmentsAreNamedTwentyAtMostEachOnce()
    {
        var unknown = Enumerable.Range(1_000, 1_000).ToList();
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1, 1_000, .. unknown], ExcludeSegmentIds = [1_001] });

        var listed = string.Join(", ", unknown.Take(20));
        Assert.That(Errors(result), Does.Contain($"[Plugins.Misc.CustomerSegments.DiscountRequirement.UnknownSegments] {listed}, …"));
        NothingSaved();
    }

    [Test]
    public async Task ASegmentBothIncludedAndExcludedIsRefused()
    {
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1, 2], ExcludeSegmentIds = [2] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.IncludedAndExcluded] 2" }));
        NothingSaved();
    }

    /// <summary>
    /// The controller answering in English, as an admin whose language is English reads it, but for the texts an admin
    /// translated
    /// </summary>
    private CustomerSegmentsDiscountController EnglishController(IReadOnlyDictionary<string, string> translated = null)
    {
        var english = new Mock<ILocalizationService>();
        english.Setup(l => l.GetResourceAsync(It.IsAny<string>()))
            .ReturnsAsync((string key) => translated?.GetValueOrDefault(key) ?? LocaleResources.EnglishResources[key]);

        return new CustomerSegmentsDiscountController(new DiscountRequirementFormErrorFactory(english.Object, LocaleResourceFormatters.Over(english.Object)), _discountService.Object, english.Object, LocaleResourceFormatters.Over(english.Object), _pluginLimits.Object, _h.Store,
            new SegmentRequirementValidator(english.Object, LocaleResourceFormatters.Over(english.Object), _h.SegmentService.Object), _h.SegmentService.Object, Mock.Of<IWorkContext>())
        {
            ControllerContext = new ControllerContext { HttpContext = new DefaultHttpContext() }
        };
    }

    [Test]
    public async Task AnErrorWhoseTranslationDoesNotFormatIsShownInTheDefaultTextInsteadOfFailingTheForm()
    {
        //an admin's translation with a placeholder the error has no argument for, and one with a brace out of place
        var controller = EnglishController(new Dictionary<string, string>
        {
            ["Plugins.Misc.CustomerSegments.DiscountRequirement.UnknownSegments"] = "Unbekannte Segmente: {1}",
            ["Plugins.Misc.CustomerSegments.DiscountRequirement.IncludedAndExcluded"] = "{0} {"
        });

        var result = await controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1, 77], ExcludeSegmentIds = [1] });

        Assert.That(Errors(result), Is.EqualTo(new[]
        {
            "These segments do not exist (any more): 77. Remove them and save again.",
            "A segment cannot be both required and excluded: 1."
        }));
        NothingSaved();
    }

    [TestCase("RequirementId", "abc", "The requirement's id: \"abc\" is not a number. Reload the page and save again.")]
    [TestCase("DiscountId", "99999999999", "The discount's id: \"99999999999\" is not a number. Reload the page and save again.")]
    [TestCase("RequireAll", "<script>alert(1)</script>", "Must be in all of them: \"<script>alert(1)</script>\" is neither yes nor no. Reload the page and save again.")]
    [TestCase("IncludeSegmentIds", "1; DROP TABLE Setting;--", "Customer is in segment(s): these values are not segments: \"1; DROP TABLE Setting;--\". Reload the page and choose the segments again.")]
    [TestCase("ExcludeSegmentIds", " ", "But not in segment(s): these values are not segments: \" \". Reload the page and choose the segments again.")]
    public async Task AValueTheFormCouldNotBindIsRefusedNamingTheFieldAndTheValue(string field, string posted, string error)
    {
        var controller = EnglishController();
        UnboundValues.Add(controller.ModelState, field, posted);

        var result = await controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1] });

        Assert.That(Errors(result), Is.EqualTo(new[] { error }));
        NothingSaved();
    }

    [Test]
    public async Task EachListNamesOnlyTheValuesThatAreNotNumbersEachOnceAndAtMostTwentyShortened()
    {
        var controller = EnglishController();
        var hostile = Enumerable.Range(0, 30).Select(i => $"x{i}").ToList();
        UnboundValues.Add(controller.ModelState, "IncludeSegmentIds", ["1", "abc", " 2 ", "abc", new string('9', 5000)]);
        UnboundValues.Add(controller.ModelState, "ExcludeSegmentIds", ["3", .. hostile]);

        var result = await controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1, 2], ExcludeSegmentIds = [3] });

        Assert.That(Errors(result), Is.EqualTo(new[]
        {
            $"Customer is in segment(s): these values are not segments: \"abc\", \"{new string('9', 50)}…\". Reload the page and choose the segments again.",
            $"But not in segment(s): these values are not segments: {string.Join(", ", hostile.Take(20).Select(v => $"\"{v}\""))}, …. Reload the page and choose the segments again."
        }));
        NothingSaved();
    }

    [Test]
    public async Task AControlCharacterIsShownAsItsCodeAndACharacterOutsideTheBasicPlaneIsNotCutInHalf()
    {
        var controller = EnglishController();
        var emoji = new string('a', 49) + "\U0001F600";
        UnboundValues.Add(controller.ModelState, "RequirementId", "\0");
        UnboundValues.Add(controller.ModelState, "IncludeSegmentIds", ["1\n2", emoji]);

        var result = await controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1] });

        Assert.That(Errors(result), Is.EqualTo(new[]
        {
            "The requirement's id: \"\\u0000\" is not a number. Reload the page and save again.",
            $"Customer is in segment(s): these values are not segments: \"1\\u000A2\", \"{new string('a', 49)}…\". Reload the page and choose the segments again."
        }));
        NothingSaved();
    }

    [Test]
    public async Task AFieldWhosePostedValueIsNotKnownIsNamedAndAnUnknownKeyGetsTheGeneralError()
    {
        var controller = EnglishController();
        controller.ModelState.AddModelError("RequirementId", "The value is not valid.");
        controller.ModelState.AddModelError("CustomProperties[x]", "The value is not valid.");

        var result = await controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1] });

        Assert.That(Errors(result), Is.EqualTo(new[]
        {
            "The requirement's id: the value sent is not valid. Reload the page and save again.",
            "The form was sent with values that are not valid. Reload the page and save again."
        }));
        NothingSaved();
    }

    [Test]
    public async Task AModelStateNotValidatedIsRefusedWithTheGeneralErrorNotAnEmptyList()
    {
        var controller = EnglishController();
        controller.ModelState.SetModelValue("IncludeSegmentIds", "1", "1");

        var result = await controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "The form was sent with values that are not valid. Reload the page and save again." }));
        NothingSaved();
    }

    [Test]
    public async Task NoPostedModelIsRefusedWithoutAnException()
    {
        var result = await _controller.Configure(null);

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.InvalidValues] {0}" }));
        NothingSaved();
    }

    [TestCase(-1)]
    [TestCase(int.MinValue)]
    public async Task ANegativeRequirementIdIsRefusedInsteadOfAddingARequirement(int requirementId)
    {
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, RequirementId = requirementId, IncludeSegmentIds = [1] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.RequirementNotFound] {0}" }));
        NothingSaved();
    }

    [Test]
    public async Task ZeroAndNegativeSegmentIdsAreRefusedAsUnknownInsteadOfDropped()
    {
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1, 0], ExcludeSegmentIds = [-2, 3] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.UnknownSegments] -2, 0" }));
        NothingSaved();
    }

    [Test]
    public async Task ASegmentNamedTwiceIsRefusedInsteadOfSavedOnce()
    {
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [1, 2, 2], ExcludeSegmentIds = [3, 3] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.DuplicatedSegments] 2, 3" }));
        NothingSaved();
    }

    [Test]
    public async Task AnExistingRequirementIsUpdatedInPlaceAndAnInvalidChangeKeepsTheOldConfiguration()
    {
        _requirements.Add(new DiscountRequirement { Id = 9, DiscountId = 5, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName });
        await _h.Store.SaveAsync(9, new SegmentRequirement { IncludeSegmentIds = [1] });

        var refused = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, RequirementId = 9, IncludeSegmentIds = [] });
        Assert.That(Errors(refused), Has.Length.EqualTo(1));
        Assert.That((await _h.Store.GetAsync(9)).IncludeSegmentIds, Is.EqualTo(new[] { 1 }));

        var saved = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, RequirementId = 9, IncludeSegmentIds = [2] });
        Assert.That(Body(saved).GetProperty("NewRequirementId").GetInt32(), Is.EqualTo(9));
        Assert.That((await _h.Store.GetAsync(9)).IncludeSegmentIds, Is.EqualTo(new[] { 2 }));
        _discountService.Verify(d => d.InsertDiscountRequirementAsync(It.IsAny<DiscountRequirement>()), Times.Never);
    }

    [Test]
    public async Task AnotherRulesRequirementIsNotOverwritten()
    {
        _requirements.Add(new DiscountRequirement { Id = 9, DiscountId = 5, DiscountRequirementRuleSystemName = "DiscountRequirement.MustBeAssignedToCustomerRole" });

        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, RequirementId = 9, IncludeSegmentIds = [1] });

        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.RequirementNotFound] {0}" }));
        NothingSaved();
    }

    [Test]
    public async Task AGroupNamedLikeTheRuleIsNeitherShownNorConfigured()
    {
        //nopCommerce keeps a requirement group's name, which the admin chooses, in DiscountRequirementRuleSystemName
        _requirements.Add(new DiscountRequirement { Id = 9, DiscountId = 5, IsGroup = true, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName });

        var page = await _controller.Configure(5, 9);
        var result = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, RequirementId = 9, IncludeSegmentIds = [1] });

        Assert.That((page as ContentResult)?.Content, Is.EqualTo("[Plugins.Misc.CustomerSegments.DiscountRequirement.RequirementNotFound] {0}"));
        Assert.That(Errors(result), Is.EqualTo(new[] { "[Plugins.Misc.CustomerSegments.DiscountRequirement.RequirementNotFound] {0}" }));
        NothingSaved();
    }

    [Test]
    public async Task ThePageWarnsAboutSegmentsThatNoLongerExistOrAreInactive()
    {
        _requirements.Add(new DiscountRequirement { Id = 9, DiscountId = 5, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName });
        await _h.Store.SaveAsync(9, new SegmentRequirement { IncludeSegmentIds = [1, 66], ExcludeSegmentIds = [3] });

        var result = (ViewResult)await _controller.Configure(5, 9);
        var model = (SegmentRequirementModel)result.Model;

        Assert.That(result.ViewName, Is.EqualTo(CustomerSegmentsDiscountController.ViewPath));
        Assert.That(model.IncludeSegmentIds, Is.EqualTo(new[] { 1, 66 }));
        Assert.That(model.ExcludeSegmentIds, Is.EqualTo(new[] { 3 }));
        Assert.That(model.AvailableSegments.Select(s => s.Text),
            Is.EqualTo(new[] { "Big spenders", "[Plugins.Misc.CustomerSegments.DiscountRequirement.InactiveSegmentOption] Dormant", "Loyal" }));
        Assert.That(model.Warnings, Is.EqualTo(new[]
        {
            "[Plugins.Misc.CustomerSegments.DiscountRequirement.SegmentMissing] 66",
            "[Plugins.Misc.CustomerSegments.DiscountRequirement.SegmentInactive] Dormant"
        }));
        Assert.That(_controller.ViewData.TemplateInfo.HtmlFieldPrefix, Is.EqualTo("CustomerSegmentsRequirement9"));
    }

    /// <summary>
    /// A plugin limited to stores or customer roles is not loaded for the shoppers outside them, and nopCommerce skips
    /// its requirements: the form says so when it opens and after each save
    /// </summary>
    [Test]
    public async Task TheFormWarnsWhenThePluginIsLimitedToStoresOrRoles()
    {
        _requirements.Add(new DiscountRequirement { Id = 9, DiscountId = 5, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName });
        await _h.Store.SaveAsync(9, new SegmentRequirement { IncludeSegmentIds = [1] });
        const string limited = "[Plugins.Misc.CustomerSegments.DiscountRequirement.PluginLimited] {0}";

        Assert.That(((SegmentRequirementModel)((ViewResult)await _controller.Configure(5, 9)).Model).Warnings, Is.Empty);

        _pluginLimits.Setup(p => p.IsLimitedAsync()).ReturnsAsync(true);
        var warnings = ((SegmentRequirementModel)((ViewResult)await _controller.Configure(5, 9)).Model).Warnings;
        var saved = await _controller.Configure(new SegmentRequirementModel { DiscountId = 5, RequirementId = 9, IncludeSegmentIds = [2] });

        Assert.That(warnings, Is.EqualTo(new[] { limited }));
        Assert.That(Body(saved).GetProperty("Warnings").EnumerateArray().Select(w => w.GetString()), Is.EqualTo(new[] { limited }));
    }

    /// <summary>
    /// Runs an action as MVC does: the controller's action filter, then the action
    /// </summary>
    private static async Task<IActionResult> RunAsync(Controller controller, Func<Task<IActionResult>> action)
    {
        var context = new ActionExecutingContext(new ActionContext(controller.HttpContext, new RouteData(), new ActionDescriptor()),
            new List<IFilterMetadata>(), new Dictionary<string, object>(), controller);
        await controller.OnActionExecutionAsync(context, async () =>
        {
            var executed = new ActionExecutedContext(context, new List<IFilterMetadata>(), controller) { Result = await action() };
            context.Result = executed.Result;
            return executed;
        });

        return context.Result;
    }

    [Test]
    public async Task AVendorCannotReadOrRetargetTheShopsDiscount()
    {
        //nopCommerce 4.90 gives the Vendors role "Discounts. View" and "Discounts. Create, edit, delete", and limits a
        //vendor to his own discounts (DiscountController: "a vendor should have access only to his discounts")
        var workContext = new Mock<IWorkContext>();
        workContext.Setup(w => w.GetCurrentVendorAsync()).ReturnsAsync(new Vendor { Id = 3, Name = "Tea supplier" });
        _requirements.Add(new DiscountRequirement { Id = 9, DiscountId = 5, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName });
        await _h.Store.SaveAsync(9, new SegmentRequirement { IncludeSegmentIds = [1] });
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => $"[{key}] {{0}}");
        var services = new ServiceCollection()
            .AddSingleton<IDiscountRequirementFormErrorFactory>(new DiscountRequirementFormErrorFactory(localization.Object, LocaleResourceFormatters.Over(localization.Object)))
            .AddSingleton(_discountService.Object)
            .AddSingleton(localization.Object)
            .AddSingleton<ILocaleResourceFormatter>(LocaleResourceFormatters.Over(localization.Object))
            .AddSingleton(_pluginLimits.Object)
            .AddSingleton(_h.Store)
            .AddSingleton<ISegmentRequirementValidator>(new SegmentRequirementValidator(localization.Object, LocaleResourceFormatters.Over(localization.Object), _h.SegmentService.Object))
            .AddSingleton(_h.SegmentService.Object)
            .AddSingleton(workContext.Object)
            .BuildServiceProvider();
        var controller = ActivatorUtilities.CreateInstance<CustomerSegmentsDiscountController>(services);
        controller.ControllerContext = new ControllerContext { HttpContext = new DefaultHttpContext() };

        //discount 5 is the shop's (no vendor)
        var page = await RunAsync(controller, () => controller.Configure(5, 9));
        await RunAsync(controller, () => controller.Configure(new SegmentRequirementModel { DiscountId = 5, RequirementId = 9, IncludeSegmentIds = [2] }));
        await RunAsync(controller, () => controller.Configure(new SegmentRequirementModel { DiscountId = 5, IncludeSegmentIds = [2] }));

        Assert.Multiple(async () =>
        {
            Assert.That((page as ViewResult)?.Model, Is.Null, "the vendor sees the shop's segments and the requirement of the shop's discount");
            Assert.That((await _h.Store.GetAsync(9)).IncludeSegmentIds, Is.EqualTo(new[] { 1 }), "the vendor changed whom the shop's discount is for");
            Assert.That(_requirements.Select(r => r.Id), Is.EqualTo(new[] { 9 }), "the vendor added a requirement to the shop's discount");
        });
    }

    [Test]
    public async Task ANewRequirementOpensEmpty()
    {
        var model = (SegmentRequirementModel)((ViewResult)await _controller.Configure(5, null)).Model;

        Assert.That(model.RequirementId, Is.Zero);
        Assert.That(model.IncludeSegmentIds, Is.Empty);
        Assert.That(model.Warnings, Is.Empty);
    }
}
