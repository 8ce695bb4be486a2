using FluentMigrator;
using LinqToDB;
using Moq;
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.Localization;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// A later version of the plugin adding a column, as nopCommerce applies it on update (a migration for the
/// Update process, after the ones of the installed version)
/// </summary>
[NopMigration("2026/12/24 10:00:00:0000000", "Misc.CustomerSegments test: segment note", MigrationProcessType.Update)]
public class SecondVersionMigration : Migration
{
    public const string Column = "ReliabilityNote";

    public override void Up()
    {
        Alter.Table(CustomerSegmentsDefaults.SegmentTableName)
            .AddColumn(Column).AsString(200).Nullable();
    }

    public override void Down()
    {
        Delete.Column(Column).FromTable(CustomerSegmentsDefaults.SegmentTableName);
    }
}

/// <summary>
/// A migration of a later version applies on top of data the installed version wrote, on each engine, and the
/// plugin's update keeps settings and segments
/// </summary>
public class PluginUpgradeTests : DatabaseTestBase
{
    public PluginUpgradeTests(DatabaseEngine engine) : base(engine)
    {
    }

    [Test]
    public async Task ASecondMigrationAppliesOnTopOfWrittenDataAndKeepsIt()
    {
        var segment = new Segment
        {
            Name = "Big spenders", SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = "{}", RuleSchemaVersion = 1, Active = true,
            StoreId = 2, CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow, ShopperMessage = "Thanks"
        };
        await Repository<Segment>().InsertAsync(segment);
        var entered = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        await Repository<SegmentMembership>().InsertAsync(new List<SegmentMembership>
        {
            new() { SegmentId = segment.Id, CustomerId = 7, EnteredOnUtc = entered },
            new() { SegmentId = segment.Id, CustomerId = 8, EnteredOnUtc = entered, LeftOnUtc = entered.AddDays(1) }
        });

        FluentMigratorHost.Up(Database, new SecondVersionMigration());
        try
        {
            var columns = (await new DatabaseCatalog(Database).GetColumnsAsync(CustomerSegmentsDefaults.SegmentTableName)).Select(c => c.Name);
            Assert.That(columns, Does.Contain(SecondVersionMigration.Column));

            var kept = await Repository<Segment>().GetByIdAsync(segment.Id);
            Assert.That((kept.Name, kept.StoreId, kept.ShopperMessage, kept.Active), Is.EqualTo(("Big spenders", 2, "Thanks", true)));
            var memberships = await Repository<SegmentMembership>().Table.Where(m => m.SegmentId == segment.Id).OrderBy(m => m.CustomerId).ToListAsync();
            Assert.That(memberships.Select(m => (m.CustomerId, m.EnteredOnUtc, m.LeftOnUtc)),
                Is.EqualTo(new[] { (7, entered, (DateTime?)null), (8, entered, (DateTime?)entered.AddDays(1)) }));

            //the plugin keeps working on the wider table
            var another = new Segment { Name = "New", SegmentTypeId = (int)SegmentType.Static, Active = true, CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow };
            await Repository<Segment>().InsertAsync(another);
            Assert.That(await Repository<Segment>().Table.CountAsync(), Is.EqualTo(2));
        }
        finally
        {
            FluentMigratorHost.Down(Database, new SecondVersionMigration());
        }

        Assert.That((await Repository<Segment>().GetByIdAsync(segment.Id)).Name, Is.EqualTo("Big spenders"));
        Assert.That(await Repository<SegmentMembership>().Table.CountAsync(), Is.EqualTo(2));
    }

    [Test]
    public void TheSecondMigrationIsOneNopCommerceRunsOnUpdateOnly()
    {
        var migration = PluginMigrationRunner.FindMigrations(typeof(SecondVersionMigration).Assembly).Single(m => m.Type == typeof(SecondVersionMigration));
        Assert.That(migration.TargetMigrationProcess, Is.EqualTo(MigrationProcessType.Update));
        Assert.That(migration.Version, Is.GreaterThan(PluginMigrationRunner.FindMigrations(typeof(CustomerSegmentsPlugin).Assembly).Max(m => m.Version)));
    }

    private (CustomerSegmentsPlugin Plugin, Mock<ISettingService> Settings, Mock<IScheduleTaskService> Tasks, Mock<ILocalizationService> Localization)
        Plugin(CustomerSegmentsSettings stored, ScheduleTask existingTask)
    {
        var settings = new Mock<ISettingService>();
        var tasks = new Mock<IScheduleTaskService>();
        tasks.Setup(t => t.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType)).ReturnsAsync(existingTask);
        var localization = new Mock<ILocalizationService>();
        var plugin = new CustomerSegmentsPlugin(stored, localization.Object, Mock.Of<INopUrlHelper>(), Mock.Of<IPermissionService>(), Repository<LocalizedProperty>(), tasks.Object, Mock.Of<ISegmentCacheInvalidator>(),
            Mock.Of<ISegmentDiscountRequirementCleaner>(), Mock.Of<ISegmentRequirementChecker>(), settings.Object, Mock.Of<Nop.Core.IWebHelper>(),
            new WidgetSettings { ActiveWidgetSystemNames = [CustomerSegmentsDefaults.SystemName] });

        return (plugin, settings, tasks, localization);
    }

    [Test]
    public async Task UninstallThenReinstallLeavesNothingOfTheOldSegmentsBehind()
    {
        var segment = new Segment
        {
            Name = "Tea lovers", SegmentTypeId = (int)SegmentType.Static, Active = true, CreatedOnUtc = DateTime.UtcNow,
            UpdatedOnUtc = DateTime.UtcNow, ShopperMessage = "Tea for you"
        };
        await Repository<Segment>().InsertAsync(segment);
        await Repository<SegmentMembership>().InsertAsync(new SegmentMembership { SegmentId = segment.Id, CustomerId = 7, EnteredOnUtc = DateTime.UtcNow });
        await Repository<CustomerOrderStatistics>().InsertAsync(new CustomerOrderStatistics { CustomerId = 7, StoreId = 0, OrderCount = 2, TotalSpent = 10m });
        await Repository<LocalizedProperty>().InsertAsync(new List<LocalizedProperty>
        {
            new() { EntityId = segment.Id, LanguageId = 2, LocaleKeyGroup = nameof(Segment), LocaleKey = nameof(Segment.ShopperMessage), LocaleValue = "Thé pour vous" },
            new() { EntityId = segment.Id, LanguageId = 2, LocaleKeyGroup = "Category", LocaleKey = "Name", LocaleValue = "Thé" }
        });
        var (plugin, settings, tasks, localization) = Plugin(new CustomerSegmentsSettings(), new ScheduleTask { Type = CustomerSegmentsDefaults.RebuildTaskType });

        //nopCommerce: the plugin's uninstall, then its migrations down; on reinstall the migrations up
        await plugin.UninstallAsync();
        Shop.PluginMigrations().Down();
        Shop.PluginMigrations().Up();

        Assert.That(await Repository<Segment>().Table.CountAsync(), Is.Zero);
        Assert.That(await Repository<SegmentMembership>().Table.CountAsync(), Is.Zero);
        Assert.That(await Repository<CustomerOrderStatistics>().Table.CountAsync(), Is.Zero);
        var translations = await Repository<LocalizedProperty>().Table.ToListAsync();
        Assert.That(translations.Select(t => t.LocaleKeyGroup), Is.EqualTo(new[] { "Category" }), "the segments' translations go, the shop's own stay");
        settings.Verify(s => s.DeleteSettingAsync<CustomerSegmentsSettings>(), Times.Once);
        tasks.Verify(t => t.DeleteTaskAsync(It.Is<ScheduleTask>(task => task.Type == CustomerSegmentsDefaults.RebuildTaskType)), Times.Once);
        localization.Verify(l => l.DeleteLocaleResourcesAsync(CustomerSegmentsDefaults.LocaleResourcePrefix, null), Times.Once);

        //a new segment of the reinstalled plugin may get the old one's id: it must not inherit its translation
        var fresh = new Segment { Name = "New", SegmentTypeId = (int)SegmentType.Static, Active = true, CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow };
        await Repository<Segment>().InsertAsync(fresh);
        Assert.That(await Repository<LocalizedProperty>().Table.AnyAsync(t => t.LocaleKeyGroup == nameof(Segment) && t.EntityId == fresh.Id), Is.False);
    }

    [Test]
    public async Task UpdateKeepsTheStoredSettingsAddsTheNewTextAndTheMissingTask()
    {
        var stored = new CustomerSegmentsSettings { RebuildIntervalSeconds = 7200 };
        var (plugin, settings, tasks, localization) = Plugin(stored, existingTask: null);

        await plugin.UpdateAsync("1.0", "1.1");

        settings.Verify(s => s.SaveSettingAsync(It.Is<CustomerSegmentsSettings>(saved => ReferenceEquals(saved, stored) && saved.RebuildIntervalSeconds == 7200), 0), Times.Once);
        settings.Verify(s => s.DeleteSettingAsync<CustomerSegmentsSettings>(), Times.Never);
        tasks.Verify(t => t.InsertTaskAsync(It.Is<ScheduleTask>(task => task.Type == CustomerSegmentsDefaults.RebuildTaskType && task.Seconds == 7200)), Times.Once);
        localization.Verify(l => l.AddOrUpdateLocaleResourceAsync(It.Is<IDictionary<string, string>>(resources => resources.Count == LocaleResources.English.Count), null), Times.Once);
        localization.Verify(l => l.DeleteLocaleResourcesAsync(It.IsAny<string>(), It.IsAny<int?>()), Times.Never);
    }

    [Test]
    public async Task UpdateLeavesAnExistingTaskAlone()
    {
        var (plugin, _, tasks, _) = Plugin(new CustomerSegmentsSettings(), new ScheduleTask { Type = CustomerSegmentsDefaults.RebuildTaskType, Seconds = 60 });

        await plugin.UpdateAsync("1.0", "1.1");

        tasks.Verify(t => t.InsertTaskAsync(It.IsAny<ScheduleTask>()), Times.Never);
        tasks.Verify(t => t.DeleteTaskAsync(It.IsAny<ScheduleTask>()), Times.Never);
    }
}
