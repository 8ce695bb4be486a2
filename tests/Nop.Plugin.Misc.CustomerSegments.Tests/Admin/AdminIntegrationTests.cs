using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Web.Framework.Mvc.Routing;
using Microsoft.AspNetCore.Mvc.ViewComponents;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Core.Domain.Vendors;
using Nop.Plugin.Misc.CustomerSegments.Components;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Services.Common;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Plugins;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Nop.Web.Framework.Events;
using Nop.Web.Framework.Infrastructure;
using Nop.Web.Framework.Menu;
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// How the admin pages hook into nopCommerce: menu, settings page, customer page card
/// </summary>
public class AdminIntegrationTests
{
    private record CustomerPageModel : BaseNopEntityModel;

    private static CustomerSegmentsPlugin Plugin(WidgetSettings widgetSettings, Mock<ISettingService> settingService = null)
    {
        var webHelper = new Mock<IWebHelper>();
        webHelper.Setup(w => w.GetStoreLocation(null)).Returns("https://shop.example/");

        return new CustomerSegmentsPlugin(new CustomerSegmentsSettings(), Mock.Of<ILanguageService>(), Mock.Of<ILocalizationService>(), Mock.Of<INopUrlHelper>(),
            Mock.Of<IPermissionService>(), Mock.Of<Nop.Data.IRepository<Nop.Core.Domain.Localization.LocalizedProperty>>(), Mock.Of<IScheduleTaskService>(), Mock.Of<ISegmentCacheInvalidator>(), Mock.Of<ISegmentDiscountRequirementCleaner>(),
            Mock.Of<ISegmentRequirementChecker>(), (settingService ?? new Mock<ISettingService>()).Object, Mock.Of<IStoreSegmentDeactivator>(), webHelper.Object, widgetSettings);
    }

    [Test]
    public void TheSettingsPageIsTheAdminConfigureAction()
    {
        Assert.That(Plugin(new WidgetSettings()).GetConfigurationPageUrl(), Is.EqualTo("https://shop.example/Admin/CustomerSegmentsAdmin/Configure"));
    }

    [Test]
    public async Task TheCustomerPageCardIsAWidgetOfTheCustomerDetailsZone()
    {
        var plugin = Plugin(new WidgetSettings());

        Assert.That(await plugin.GetWidgetZonesAsync(), Is.EqualTo(new[] { AdminWidgetZones.CustomerDetailsBlock }));
        Assert.That(plugin.GetWidgetViewComponent(AdminWidgetZones.CustomerDetailsBlock), Is.EqualTo(typeof(CustomerSegmentsCardViewComponent)));
        Assert.That(plugin.GetWidgetViewComponent("home_page_top"), Is.Null);
    }

    [Test]
    public async Task InstallActivatesTheWidgetOnceAndUninstallDeactivatesIt()
    {
        var widgetSettings = new WidgetSettings { ActiveWidgetSystemNames = ["Widgets.Other"] };
        var settingService = new Mock<ISettingService>();
        var plugin = Plugin(widgetSettings, settingService);

        await plugin.InstallAsync();
        await plugin.InstallAsync();

        Assert.That(widgetSettings.ActiveWidgetSystemNames, Is.EqualTo(new[] { "Widgets.Other", CustomerSegmentsDefaults.SystemName }));
        settingService.Verify(s => s.SaveSettingAsync(widgetSettings, 0), Times.Once);

        await plugin.UninstallAsync();

        Assert.That(widgetSettings.ActiveWidgetSystemNames, Is.EqualTo(new[] { "Widgets.Other" }));
    }

    [Test]
    public async Task TheMenuItemIsUnderCustomersAndNeedsThePluginPermission()
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync("Plugins.Misc.CustomerSegments.Menu.Title")).ReturnsAsync("Customer segments");
        var consumer = new AdminMenuEventConsumer(localization.Object, Mock.Of<IPluginService>());

        var item = await consumer.PrepareMenuItemAsync("/Admin/CustomerSegmentsAdmin/List");

        Assert.That(item.SystemName, Is.EqualTo(CustomerSegmentsDefaults.AdminMenuSystemName));
        Assert.That(item.Title, Is.EqualTo("Customer segments"));
        Assert.That(item.Url, Is.EqualTo("/Admin/CustomerSegmentsAdmin/List"));
        Assert.That(item.Visible, Is.True);
        Assert.That(item.PermissionNames, Is.EqualTo(new[] { CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS }));
        Assert.That(AdminMenuEventConsumer.ParentMenuSystemName, Is.EqualTo("Customers"));
    }

    [Test]
    public async Task NoMenuItemBeforeThePluginIsInstalled()
    {
        var pluginService = new Mock<IPluginService>();
        pluginService.Setup(p => p.GetPluginDescriptorBySystemNameAsync<IMiscPlugin>(CustomerSegmentsDefaults.SystemName, LoadPluginsMode.InstalledOnly, null, 0, null))
            .ReturnsAsync((PluginDescriptor)null);
        var localization = new Mock<ILocalizationService>();
        var consumer = new AdminMenuEventConsumer(localization.Object, pluginService.Object);

        //a root without items: reaching for "Customers" would fail
        await consumer.HandleEventAsync(new AdminMenuCreatedEvent(Mock.Of<IAdminMenu>(), null));

        localization.VerifyNoOtherCalls();
    }

    [Test]
    public async Task TheCustomerCardShowsNothingWithoutThePermissionOrACustomer()
    {
        var permission = new Mock<IPermissionService>();
        permission.Setup(p => p.AuthorizeAsync(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)).ReturnsAsync(false);
        var factory = new Mock<ISegmentModelFactory>(MockBehavior.Strict);
        var component = new CustomerSegmentsCardViewComponent(permission.Object, factory.Object, Mock.Of<IWorkContext>());

        var withoutPermission = await component.InvokeAsync(AdminWidgetZones.CustomerDetailsBlock, new CustomerPageModel { Id = 5 });
        var newCustomer = await component.InvokeAsync(AdminWidgetZones.CustomerDetailsBlock, new CustomerPageModel { Id = 0 });
        var otherModel = await component.InvokeAsync(AdminWidgetZones.CustomerDetailsBlock, "not a customer");

        Assert.That(new[] { withoutPermission, newCustomer, otherModel }, Has.All.InstanceOf<ContentViewComponentResult>());
        Assert.That(((ContentViewComponentResult)withoutPermission).Content, Is.Empty);
        factory.VerifyNoOtherCalls();
    }

    /// <summary>
    /// A vendor never sees a customer's segments, as the plugin's pages refuse vendors, even with the plugin's permission
    /// </summary>
    [Test]
    public async Task TheCustomerCardShowsNothingToAVendor()
    {
        var permission = new Mock<IPermissionService>();
        permission.Setup(p => p.AuthorizeAsync(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS)).ReturnsAsync(true);
        var workContext = new Mock<IWorkContext>();
        workContext.Setup(w => w.GetCurrentVendorAsync()).ReturnsAsync(new Vendor { Id = 3 });
        var factory = new Mock<ISegmentModelFactory>(MockBehavior.Strict);
        var component = new CustomerSegmentsCardViewComponent(permission.Object, factory.Object, workContext.Object);

        var result = await component.InvokeAsync(AdminWidgetZones.CustomerDetailsBlock, new CustomerPageModel { Id = 5 });

        Assert.That(((ContentViewComponentResult)result).Content, Is.Empty);
        factory.VerifyNoOtherCalls();
    }

    [Test]
    public void TheStartupRegistersTheAdminServices()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        new NopStartup().ConfigureServices(services, null);

        var registered = services.Select(s => s.ServiceType).ToList();
        Assert.That(registered, Is.SupersetOf(new[]
        {
            typeof(ISegmentModelFactory), typeof(ISegmentAnalyticsService), typeof(ISegmentPreviewService), typeof(ISegmentValueLookupService),
            typeof(ISegmentMemberSearchService), typeof(ISegmentMemberCsvService), typeof(ISegmentDiscountUsageService), typeof(IDatabaseConfigurationAdvisor),
            typeof(ISegmentCopyService)
        }));
    }
}
