using Moq;
using Nop.Core;
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Discounts;
using Nop.Services.Localization;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

public class DiscountRuleUninstallTests
{
    private static ILocaleResourceFormatter EnglishFormatter()
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => LocaleResources.EnglishResources[key]);
        return new LocaleResourceFormatter(localization.Object, Mock.Of<Nop.Services.Logging.ILogger>());
    }

    [Test]
    public async Task UninstallRemovesOurRequirementsAndTheirSettingsOnly()
    {
        var h = new DiscountRuleHarness();
        var ours1 = new DiscountRequirement { Id = 1, DiscountId = 5, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName };
        var roles = new DiscountRequirement { Id = 2, DiscountId = 5, DiscountRequirementRuleSystemName = "DiscountRequirement.MustBeAssignedToCustomerRole" };
        var group = new DiscountRequirement { Id = 3, DiscountId = 6, DiscountRequirementRuleSystemName = null, IsGroup = true };
        var ours2 = new DiscountRequirement { Id = 4, DiscountId = 6, ParentId = 3, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName };
        await h.Store.SaveAsync(1, new SegmentRequirement { IncludeSegmentIds = [1] });
        await h.Store.SaveAsync(4, new SegmentRequirement { IncludeSegmentIds = [2] });
        h.SavedSettings["DiscountRequirement.MustBeAssignedToCustomerRole-2"] = "3";
        h.SavedSettings["somesettings.other"] = "x";

        var discountService = new Mock<IDiscountService>();
        discountService.Setup(d => d.GetAllDiscountRequirementsAsync(0, false)).ReturnsAsync([ours1, roles, group, ours2]);
        //5: segments and roles; 6: segments only, whose group would be empty and open to every customer; 7: roles only
        var discounts = new[] { 5, 6, 7 }.ToDictionary(id => id, id => new Discount { Id = id, Name = $"Discount {id}", IsActive = true });
        //6 paused for the season: without its requirement it would open to everyone the day it is activated again
        (discounts[6].IsActive, discounts[6].AdminComment) = (false, "Summer sale ");
        discountService.Setup(d => d.GetDiscountByIdAsync(It.IsAny<int>())).ReturnsAsync((int id) => discounts.GetValueOrDefault(id));
        var logger = new Mock<Nop.Services.Logging.ILogger>();

        var plugin = new CustomerSegmentsPlugin(h.Settings, Mock.Of<ILanguageService>(), Mock.Of<ILocalizationService>(), Mock.Of<INopUrlHelper>(),
            Mock.Of<IPermissionService>(), Mock.Of<Nop.Data.IRepository<Nop.Core.Domain.Localization.LocalizedProperty>>(), Mock.Of<IScheduleTaskService>(), h.Invalidator, new SegmentDiscountRequirementCleaner(discountService.Object, EnglishFormatter(), logger.Object, h.Store),
            Mock.Of<ISegmentRequirementChecker>(), h.SettingService.Object, Mock.Of<IStoreSegmentDeactivator>(), Mock.Of<IWebHelper>(), new WidgetSettings());

        //a distributed cache outlives the application: the plugin's keys must not serve a reinstalled plugin
        await h.StaticCache.SetAsync(new Nop.Core.Caching.CacheKey(string.Format(CustomerSegmentsCacheDefaults.CustomerSegmentIdsCacheKey.Key, 7)), new List<int> { 1 });
        await h.StaticCache.SetAsync(CustomerSegmentsCacheDefaults.ActiveDynamicSegmentsCacheKey, new List<Segment>());
        await h.StaticCache.SetAsync(new Nop.Core.Caching.CacheKey("Nop.customer.byid.7"), "another key");

        await plugin.UninstallAsync();

        Assert.That(h.StaticCache.Entries.Keys, Is.EquivalentTo(new[] { "Nop.customer.byid.7" }));
        discountService.Verify(d => d.DeleteDiscountRequirementAsync(ours1, false), Times.Once);
        discountService.Verify(d => d.DeleteDiscountRequirementAsync(ours2, false), Times.Once);
        discountService.Verify(d => d.DeleteDiscountRequirementAsync(It.Is<DiscountRequirement>(r => r.Id == 2 || r.Id == 3), It.IsAny<bool>()), Times.Never);
        Assert.That(h.SavedSettings.Keys, Is.EquivalentTo(new[] { "DiscountRequirement.MustBeAssignedToCustomerRole-2", "somesettings.other" }));
        //the discounts that targeted segments close rather than open to everyone, and the log names them
        Assert.That(discounts.Values.Where(discount => discount.IsActive).Select(discount => discount.Id), Is.EqualTo(new[] { 7 }));
        discountService.Verify(d => d.UpdateDiscountAsync(It.Is<Discount>(discount => discount.Id != 7)), Times.Exactly(2));
        logger.Verify(l => l.WarningAsync(It.Is<string>(message => message.Contains("Made inactive: Discount 5 (#5).") && message.Contains("Inactive already: Discount 6 (#6).")),
            null, null), Times.Once);
        //and each says so where an admin activates it
        Assert.That(discounts[5].AdminComment, Does.Contain("lost its segment requirement").And.StartsWith(DateTime.UtcNow.ToString("yyyy-MM-dd")));
        Assert.That(discounts[6].AdminComment, Does.StartWith("Summer sale" + Environment.NewLine).And.Contain("review its requirements"));
        Assert.That(discounts[7].AdminComment, Is.Null);
    }

    [Test]
    public async Task UninstallKeepsARequirementGroupNamedLikeTheRuleWithItsChildrenAndItsDiscount()
    {
        var h = new DiscountRuleHarness();
        //nopCommerce keeps the name the admin gives a group in DiscountRequirementRuleSystemName
        var group = new DiscountRequirement { Id = 20, DiscountId = 8, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName, IsGroup = true };
        var child = new DiscountRequirement { Id = 21, DiscountId = 8, ParentId = 20, DiscountRequirementRuleSystemName = "DiscountRequirement.MustBeAssignedToCustomerRole" };
        var ours = new DiscountRequirement { Id = 22, DiscountId = 9, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName };
        await h.Store.SaveAsync(22, new SegmentRequirement { IncludeSegmentIds = [1] });
        h.SavedSettings["DiscountRequirement.MustBeAssignedToCustomerRole-21"] = "3";

        var discountService = new Mock<IDiscountService>();
        discountService.Setup(d => d.GetAllDiscountRequirementsAsync(0, false)).ReturnsAsync([group, child, ours]);
        var discounts = new[] { 8, 9 }.ToDictionary(id => id, id => new Discount { Id = id, Name = $"Discount {id}", IsActive = true });
        discountService.Setup(d => d.GetDiscountByIdAsync(It.IsAny<int>())).ReturnsAsync((int id) => discounts.GetValueOrDefault(id));
        var logger = new Mock<Nop.Services.Logging.ILogger>();

        var removed = await new SegmentDiscountRequirementCleaner(discountService.Object, EnglishFormatter(), logger.Object, h.Store).RemoveAllAsync();

        Assert.That(removed, Is.EqualTo(1));
        discountService.Verify(d => d.DeleteDiscountRequirementAsync(ours, false), Times.Once);
        discountService.Verify(d => d.DeleteDiscountRequirementAsync(It.Is<DiscountRequirement>(r => r.Id != 22), It.IsAny<bool>()), Times.Never);
        Assert.That(h.SavedSettings.Keys, Is.EquivalentTo(new[] { "DiscountRequirement.MustBeAssignedToCustomerRole-21" }));
        Assert.That(discounts.Values.Where(discount => discount.IsActive).Select(discount => discount.Id), Is.EqualTo(new[] { 8 }));
        discountService.Verify(d => d.UpdateDiscountAsync(It.IsAny<Discount>()), Times.Once);
        logger.Verify(l => l.WarningAsync(It.Is<string>(message => message.Contains("Discount 9 (#9)") && !message.Contains("Discount 8")), null, null), Times.Once);
    }

    [Test]
    public async Task DeletingARequirementGroupNamedLikeTheRuleLeavesTheSettingOfItsId()
    {
        var h = new DiscountRuleHarness();
        //a configuration saved for the group by the form before it refused groups
        await h.Store.SaveAsync(3, new SegmentRequirement { IncludeSegmentIds = [1] });
        var consumer = new DiscountRequirementDeletedConsumer(h.Store);

        await consumer.HandleEventAsync(new Nop.Core.Events.EntityDeletedEvent<DiscountRequirement>(
            new DiscountRequirement { Id = 3, IsGroup = true, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName }));

        Assert.That(h.SavedSettings.Keys, Is.EquivalentTo(new[] { SegmentRequirementStore.SettingKey(3) }));
    }

    [Test]
    public async Task DeletingOneOfOurRequirementsInTheDiscountEditorRemovesItsSetting()
    {
        var h = new DiscountRuleHarness();
        await h.Store.SaveAsync(1, new SegmentRequirement { IncludeSegmentIds = [1] });
        await h.Store.SaveAsync(2, new SegmentRequirement { IncludeSegmentIds = [1] });
        var consumer = new DiscountRequirementDeletedConsumer(h.Store);

        await consumer.HandleEventAsync(new Nop.Core.Events.EntityDeletedEvent<DiscountRequirement>(
            new DiscountRequirement { Id = 2, DiscountRequirementRuleSystemName = "DiscountRequirement.MustBeAssignedToCustomerRole" }));
        await consumer.HandleEventAsync(new Nop.Core.Events.EntityDeletedEvent<DiscountRequirement>(
            new DiscountRequirement { Id = 1, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName }));

        Assert.That(h.SavedSettings.Keys, Is.EquivalentTo(new[] { SegmentRequirementStore.SettingKey(2) }));
    }

    [Test]
    public void TheConfigurationUrlIsTheRequirementRoute()
    {
        var urlHelper = new Mock<INopUrlHelper>();
        urlHelper.Setup(u => u.RouteUrl(CustomerSegmentsDefaults.DiscountRequirementConfigurationRouteName, It.IsAny<object>(), "https", null, null))
            .Returns((string _, object values, string _, string _, string _) => $"/Admin/CustomerSegmentsDiscount/Configure?{System.Text.Json.JsonSerializer.Serialize(values)}");
        var webHelper = new Mock<IWebHelper>();
        webHelper.Setup(w => w.GetCurrentRequestProtocol()).Returns("https");
        var plugin = new CustomerSegmentsPlugin(new CustomerSegmentsSettings(), Mock.Of<ILanguageService>(), Mock.Of<ILocalizationService>(), urlHelper.Object,
            Mock.Of<IPermissionService>(), Mock.Of<Nop.Data.IRepository<Nop.Core.Domain.Localization.LocalizedProperty>>(), Mock.Of<IScheduleTaskService>(), Mock.Of<ISegmentCacheInvalidator>(), Mock.Of<ISegmentDiscountRequirementCleaner>(),
            Mock.Of<ISegmentRequirementChecker>(), Mock.Of<Nop.Services.Configuration.ISettingService>(), Mock.Of<IStoreSegmentDeactivator>(), webHelper.Object, new WidgetSettings());

        Assert.That(plugin.GetConfigurationUrl(5, 9), Is.EqualTo("/Admin/CustomerSegmentsDiscount/Configure?{\"discountId\":5,\"discountRequirementId\":9}"));
        Assert.That(plugin.GetConfigurationUrl(5, null), Is.EqualTo("/Admin/CustomerSegmentsDiscount/Configure?{\"discountId\":5,\"discountRequirementId\":null}"));
    }
}
