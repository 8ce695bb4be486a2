using FluentMigrator;
using LinqToDB;
using Moq;
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.Localization;
using Nop.Core.Domain.ScheduleTasks;
using Nop.Core.Domain.Stores;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;
using Nop.Services.Configuration;
using Nop.Services.Localization;
using Nop.Services.Logging;
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

    private readonly Mock<ILogger> _logger = new();

    /// <summary>
    /// The deactivation of deleted stores' segments over the test database; no segment names another here
    /// </summary>
    private StoreSegmentDeactivator NewStoreSegmentDeactivator() =>
        new(_logger.Object, Repository<Segment>(), Repository<Store>(), Mock.Of<ISegmentRebuildRunService>(),
            new SegmentService(Repository<Segment>(), Repository<SegmentMembership>(), Repository<LocalizedProperty>(), Mock.Of<ISegmentCacheInvalidator>(),
                new SegmentRuleSerializer(), new SegmentRuleAnalyzer(new RuleFieldCatalog()), null));

    private (CustomerSegmentsPlugin Plugin, Mock<ISettingService> Settings, Mock<IScheduleTaskService> Tasks, Mock<ILocalizationService> Localization)
        Plugin(CustomerSegmentsSettings stored, ScheduleTask existingTask, List<(int LanguageId, string Name, string Value)> resources = null)
    {
        var settings = new Mock<ISettingService>();
        var tasks = new Mock<IScheduleTaskService>();
        tasks.Setup(t => t.GetTaskByTypeAsync(CustomerSegmentsDefaults.RebuildTaskType)).ReturnsAsync(existingTask);
        var languages = new Mock<ILanguageService>();
        languages.Setup(l => l.GetAllLanguagesAsync(true, 0)).ReturnsAsync([new Language { Id = 1, Name = "English" }, new Language { Id = 2, Name = "Deutsch" }]);
        var localization = LocaleStringResources(resources ?? []);
        var plugin = new CustomerSegmentsPlugin(stored, languages.Object, localization.Object, Mock.Of<INopUrlHelper>(), Mock.Of<IPermissionService>(), Repository<LocalizedProperty>(), tasks.Object, Mock.Of<ISegmentCacheInvalidator>(),
            Mock.Of<ISegmentDiscountRequirementCleaner>(), Mock.Of<ISegmentRequirementChecker>(), settings.Object, NewStoreSegmentDeactivator(), Mock.Of<Nop.Core.IWebHelper>(),
            new WidgetSettings { ActiveWidgetSystemNames = [CustomerSegmentsDefaults.SystemName] });

        return (plugin, settings, tasks, localization);
    }

    /// <summary>
    /// The localization service over a list of LocaleStringResource rows (languages 1 and 2), as nopCommerce 4.90.3 reads and
    /// writes them: names lowercased; AddOrUpdateLocaleResourceAsync(resources, languageId) sets the rows of the passed names
    /// (in every language when languageId is null) to the passed values and inserts the names no row had
    /// </summary>
    private static Mock<ILocalizationService> LocaleStringResources(List<(int LanguageId, string Name, string Value)> rows)
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetAllResourceValuesAsync(It.IsAny<int>(), null))
            .ReturnsAsync((int languageId, bool? _) => rows.Where(row => row.LanguageId == languageId)
                .ToDictionary(row => row.Name.ToLowerInvariant(), row => new KeyValuePair<int, string>(0, row.Value)));
        localization.Setup(l => l.AddOrUpdateLocaleResourceAsync(It.IsAny<IDictionary<string, string>>(), It.IsAny<int?>()))
            .Returns((IDictionary<string, string> resources, int? languageId) =>
            {
                var passed = new Dictionary<string, string>(resources, StringComparer.InvariantCultureIgnoreCase);
                var updated = new HashSet<string>(StringComparer.InvariantCultureIgnoreCase);
                for (var i = 0; i < rows.Count; i++)
                {
                    if ((!languageId.HasValue || rows[i].LanguageId == languageId) && passed.TryGetValue(rows[i].Name, out var value))
                    {
                        rows[i] = (rows[i].LanguageId, rows[i].Name, value);
                        updated.Add(rows[i].Name);
                    }
                }

                foreach (var language in new[] { 1, 2 }.Where(id => !languageId.HasValue || id == languageId))
                    rows.AddRange(passed.Where(resource => !updated.Contains(resource.Key)).Select(resource => (language, resource.Key.ToLowerInvariant(), resource.Value)));

                return Task.CompletedTask;
            });

        return localization;
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
        var resources = new List<(int LanguageId, string Name, string Value)>();
        var (plugin, settings, tasks, localization) = Plugin(stored, existingTask: null, resources);

        await plugin.UpdateAsync("1.0", "1.1");

        settings.Verify(s => s.SaveSettingAsync(It.Is<CustomerSegmentsSettings>(saved => ReferenceEquals(saved, stored) && saved.RebuildIntervalSeconds == 7200), 0), Times.Once);
        settings.Verify(s => s.DeleteSettingAsync<CustomerSegmentsSettings>(), Times.Never);
        tasks.Verify(t => t.InsertTaskAsync(It.Is<ScheduleTask>(task => task.Type == CustomerSegmentsDefaults.RebuildTaskType && task.Seconds == 7200)), Times.Once);
        //every text, in each language
        Assert.That(resources.Where(row => row.LanguageId == 1).Select(row => row.Name),
            Is.EquivalentTo(LocaleResources.English.Keys.Select(name => name.ToLowerInvariant())));
        Assert.That(resources.Count(row => row.LanguageId == 2), Is.EqualTo(LocaleResources.English.Count));
        localization.Verify(l => l.DeleteLocaleResourcesAsync(It.IsAny<string>(), It.IsAny<int?>()), Times.Never);
    }

    /// <summary>
    /// The stores deleted before this version: their active segments are switched off on update, memberships kept, as
    /// the event of a store deleted now does it
    /// </summary>
    [Test]
    public async Task UpdateSwitchesOffTheSegmentsOfStoresDeletedBefore()
    {
        var live = new Store { Name = "Main", Url = "http://main/", Hosts = "main" };
        var closed = new Store { Name = "Closed outlet", Url = "http://closed/", Hosts = "closed", Deleted = true };
        await Repository<Store>().InsertAsync(live, false);
        await Repository<Store>().InsertAsync(closed, false);
        Segment NewSegment(string name, int storeId) => new()
        {
            Name = name, SegmentTypeId = (int)SegmentType.Static, Active = true, StoreId = storeId, CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow
        };
        var ofClosed = NewSegment("Outlet regulars", closed.Id);
        var ofLive = NewSegment("Main regulars", live.Id);
        await Repository<Segment>().InsertAsync(ofClosed, false);
        await Repository<Segment>().InsertAsync(ofLive, false);
        await Repository<SegmentMembership>().InsertAsync(new SegmentMembership { SegmentId = ofClosed.Id, CustomerId = 7, EnteredOnUtc = DateTime.UtcNow }, false);
        var (plugin, _, _, _) = Plugin(new CustomerSegmentsSettings(), new ScheduleTask { Type = CustomerSegmentsDefaults.RebuildTaskType });

        await plugin.UpdateAsync("1.0", "1.1");

        var active = (await Repository<Segment>().Table.Where(s => s.Id == ofClosed.Id || s.Id == ofLive.Id).ToListAsync()).ToDictionary(s => s.Id, s => s.Active);
        Assert.That(active, Is.EqualTo(new Dictionary<int, bool> { [ofClosed.Id] = false, [ofLive.Id] = true }));
        Assert.That(await Repository<SegmentMembership>().Table.CountAsync(m => m.SegmentId == ofClosed.Id && m.LeftOnUtc == null), Is.EqualTo(1));
        _logger.Verify(l => l.WarningAsync(It.Is<string>(message => message.Contains($"Closed outlet (#{closed.Id})") && message.Contains($"Outlet regulars (#{ofClosed.Id})")),
            null, null), Times.Once);
    }

    [Test]
    public async Task UpdateLeavesAnExistingTaskAlone()
    {
        var (plugin, _, tasks, _) = Plugin(new CustomerSegmentsSettings(), new ScheduleTask { Type = CustomerSegmentsDefaults.RebuildTaskType, Seconds = 60 });

        await plugin.UpdateAsync("1.0", "1.1");

        tasks.Verify(t => t.InsertTaskAsync(It.IsAny<ScheduleTask>()), Times.Never);
        tasks.Verify(t => t.DeleteTaskAsync(It.IsAny<ScheduleTask>()), Times.Never);
    }

    [Test]
    public async Task UpdateKeepsTheShopsTranslationsAndEditsOfThePluginsText()
    {
        //the shop's rows after install and the merchant's work: an English title edited in Languages > String resources,
        //a German translation; the German language lacks the description
        var menuTitle = $"{CustomerSegmentsDefaults.LocaleResourcePrefix}.Menu.Title";
        var englishRows = LocaleResources.English.Where(resource => resource.Key != menuTitle).Select(resource => (1, resource.Key.ToLowerInvariant(), resource.Value));
        var rows = new List<(int LanguageId, string Name, string Value)>(englishRows)
        {
            (1, menuTitle.ToLowerInvariant(), "Customer groups"),
            (2, menuTitle.ToLowerInvariant(), "Kundensegmente")
        };
        var (plugin, _, _, _) = Plugin(new CustomerSegmentsSettings(), new ScheduleTask { Type = CustomerSegmentsDefaults.RebuildTaskType }, rows);

        await plugin.UpdateAsync("1.0.0", "1.1.0");

        Assert.That(rows.Where(row => row.Name == menuTitle.ToLowerInvariant()).Select(row => row.Value).ToArray(), Is.EqualTo(new[] { "Customer groups", "Kundensegmente" }),
            "a plugin update overwrote the shop's own texts with the English defaults");
        //the German texts it lacked, in English
        Assert.That(rows.Count(row => row.LanguageId == 2), Is.EqualTo(LocaleResources.English.Count));
        Assert.That(rows, Has.Count.EqualTo(2 * LocaleResources.English.Count), "each text once per language");
    }
}
