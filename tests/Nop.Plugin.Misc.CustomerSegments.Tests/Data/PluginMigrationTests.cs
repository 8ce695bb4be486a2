using Nop.Plugin.Misc.CustomerSegments.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Data;

public class PluginMigrationTests : DatabaseTestBase
{
    private DatabaseCatalog _catalog;

    public PluginMigrationTests(DatabaseEngine engine) : base(engine)
    {
    }

    //each test migrates by itself
    protected override Task CreateSchemaAsync()
    {
        _catalog = new DatabaseCatalog(Database);
        return Task.CompletedTask;
    }

    [TearDown]
    public void RevertMigrations()
    {
        if (Database != null)
            TryDown();
    }

    [Test]
    public void MigrationsAreFoundInVersionOrderWithoutInstantiatingTheirAttribute()
    {
        var migrations = PluginMigrationRunner.FindMigrations(typeof(CustomerSegmentsPlugin).Assembly);

        Assert.That(migrations, Is.Not.Empty);
        Assert.That(migrations.Select(m => m.Version), Is.Ordered.And.Unique);
        Assert.That(migrations.Select(m => m.Type), Does.Contain(typeof(SchemaMigration)));
        //2026/11/23 08:00:00 as ticks, the way nopCommerce turns the date into a version
        Assert.That(migrations.Single(m => m.Type == typeof(SchemaMigration)).Version,
            Is.EqualTo(new DateTime(2026, 11, 23, 8, 0, 0).Ticks));
    }

    [Test]
    public async Task UpCreatesThePluginTablesWithTheirColumns()
    {
        Shop.PluginMigrations().Up();

        var tables = await _catalog.GetTablesAsync();
        Assert.That(tables, Does.Contain(CustomerSegmentsDefaults.SegmentTableName));
        Assert.That(tables, Does.Contain(CustomerSegmentsDefaults.MembershipTableName));

        var segmentColumns = await _catalog.GetColumnsAsync(CustomerSegmentsDefaults.SegmentTableName);
        Assert.That(segmentColumns.Select(c => c.Name), Is.EquivalentTo(new[]
        {
            nameof(Segment.Id), nameof(Segment.Name), nameof(Segment.Description), nameof(Segment.SegmentTypeId),
            nameof(Segment.RuleJson), nameof(Segment.RuleSchemaVersion), nameof(Segment.Active), nameof(Segment.StoreId),
            nameof(Segment.CreatedOnUtc), nameof(Segment.UpdatedOnUtc), nameof(Segment.LastRebuiltOnUtc), nameof(Segment.ShopperMessage)
        }));
        Assert.That(segmentColumns.Single(c => c.Name == nameof(Segment.ShopperMessage)).IsNullable, Is.True);
        Assert.That(segmentColumns.Single(c => c.Name == nameof(Segment.Name)).IsNullable, Is.False);
        Assert.That(segmentColumns.Single(c => c.Name == nameof(Segment.LastRebuiltOnUtc)).IsNullable, Is.True);

        var membershipColumns = await _catalog.GetColumnsAsync(CustomerSegmentsDefaults.MembershipTableName);
        Assert.That(membershipColumns.Select(c => c.Name), Is.EquivalentTo(new[]
        {
            nameof(SegmentMembership.Id), nameof(SegmentMembership.SegmentId), nameof(SegmentMembership.CustomerId),
            nameof(SegmentMembership.EnteredOnUtc), nameof(SegmentMembership.LeftOnUtc)
        }));
        Assert.That(membershipColumns.Single(c => c.Name == nameof(SegmentMembership.LeftOnUtc)).IsNullable, Is.True);
        Assert.That(membershipColumns.Single(c => c.Name == nameof(SegmentMembership.CustomerId)).IsNullable, Is.False);
    }

    [Test]
    public async Task UpCreatesTheMembershipIndexes()
    {
        Shop.PluginMigrations().Up();

        var indexes = await _catalog.GetIndexesAsync(CustomerSegmentsDefaults.MembershipTableName);

        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentMembership_Customer").Columns,
            Is.EqualTo(new[] { nameof(SegmentMembership.CustomerId), nameof(SegmentMembership.LeftOnUtc), nameof(SegmentMembership.SegmentId) }));
        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentMembership_Segment").Columns,
            Is.EqualTo(new[] { nameof(SegmentMembership.SegmentId), nameof(SegmentMembership.LeftOnUtc), nameof(SegmentMembership.CustomerId) }));
    }

    [Test]
    public async Task DownRemovesThePluginTables()
    {
        Shop.PluginMigrations().Up();
        Shop.PluginMigrations().Down();

        var tables = await _catalog.GetTablesAsync();
        Assert.That(tables, Does.Not.Contain(CustomerSegmentsDefaults.SegmentTableName));
        Assert.That(tables, Does.Not.Contain(CustomerSegmentsDefaults.MembershipTableName));
    }

    [Test]
    public async Task UpAgainAfterDownWorks()
    {
        Shop.PluginMigrations().Up();
        Shop.PluginMigrations().Down();
        Shop.PluginMigrations().Up();

        Assert.That(await _catalog.TableExistsAsync(CustomerSegmentsDefaults.SegmentTableName), Is.True);
    }

    [Test]
    public async Task TheOrderStatisticsMigrationCreatesItsTableAndIndexesAndDropsThem()
    {
        Shop.PluginMigrations().Up();

        var columns = await _catalog.GetColumnsAsync(CustomerSegmentsDefaults.OrderStatisticsTableName);
        Assert.That(columns.Select(c => c.Name), Is.EquivalentTo(new[]
        {
            nameof(CustomerOrderStatistics.Id), nameof(CustomerOrderStatistics.CustomerId), nameof(CustomerOrderStatistics.StoreId),
            nameof(CustomerOrderStatistics.OrderCount), nameof(CustomerOrderStatistics.TotalSpent), nameof(CustomerOrderStatistics.FirstOrderOnUtc),
            nameof(CustomerOrderStatistics.LastOrderOnUtc), nameof(CustomerOrderStatistics.RefundedOrderCount),
            nameof(CustomerOrderStatistics.CancelledOrderCount), nameof(CustomerOrderStatistics.RfmOrderCount),
            nameof(CustomerOrderStatistics.RfmTotalSpent), nameof(CustomerOrderStatistics.RecencyScore),
            nameof(CustomerOrderStatistics.FrequencyScore), nameof(CustomerOrderStatistics.MonetaryScore)
        }));
        Assert.That(columns.Where(c => c.IsNullable).Select(c => c.Name),
            Is.EquivalentTo(new[] { nameof(CustomerOrderStatistics.FirstOrderOnUtc), nameof(CustomerOrderStatistics.LastOrderOnUtc) }));

        var indexes = await _catalog.GetIndexesAsync(CustomerSegmentsDefaults.OrderStatisticsTableName);
        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentOrderStatistics_Customer_Store").Columns,
            Is.EqualTo(new[] { nameof(CustomerOrderStatistics.CustomerId), nameof(CustomerOrderStatistics.StoreId) }));
        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentOrderStatistics_Store").Columns,
            Is.EqualTo(new[] { nameof(CustomerOrderStatistics.StoreId), nameof(CustomerOrderStatistics.CustomerId) }));

        //the migration comes after the ones installed before it, and its own down removes only its table
        var migrations = Shop.PluginMigrations().Migrations;
        var version = migrations.Single(m => m.Type == typeof(OrderStatisticsMigration)).Version;
        Assert.That(migrations.Where(m => m.Type == typeof(SchemaMigration) || m.Type == typeof(LeaseMigration) || m.Type == typeof(ShopperMessageMigration))
            .Select(m => m.Version), Has.All.LessThan(version));
        FluentMigratorHost.Down(Database, new OrderStatisticsMigration());
        var tables = await _catalog.GetTablesAsync();
        Assert.That(tables, Does.Not.Contain(CustomerSegmentsDefaults.OrderStatisticsTableName));
        Assert.That(tables, Does.Contain(CustomerSegmentsDefaults.SegmentTableName));
        FluentMigratorHost.Up(Database, new OrderStatisticsMigration());
        Assert.That(await _catalog.TableExistsAsync(CustomerSegmentsDefaults.OrderStatisticsTableName), Is.True);

        Shop.PluginMigrations().Down();
        Assert.That(await _catalog.TableExistsAsync(CustomerSegmentsDefaults.OrderStatisticsTableName), Is.False);
    }

    [Test]
    public async Task TheDailyPurchasesMigrationCreatesItsTableAndIndexesAndDropsThem()
    {
        Shop.PluginMigrations().Up();

        var columns = await _catalog.GetColumnsAsync(CustomerSegmentsDefaults.DailyPurchasesTableName);
        Assert.That(columns.Select(c => c.Name), Is.EquivalentTo(new[]
        {
            nameof(CustomerDailyPurchases.Id), nameof(CustomerDailyPurchases.CustomerId), nameof(CustomerDailyPurchases.StoreId),
            nameof(CustomerDailyPurchases.Day), nameof(CustomerDailyPurchases.OrderCount), nameof(CustomerDailyPurchases.TotalSpent)
        }));
        Assert.That(columns.Where(c => c.IsNullable), Is.Empty);

        var indexes = await _catalog.GetIndexesAsync(CustomerSegmentsDefaults.DailyPurchasesTableName);
        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentDailyPurchases_Customer_Store_Day").Columns,
            Is.EqualTo(new[] { nameof(CustomerDailyPurchases.CustomerId), nameof(CustomerDailyPurchases.StoreId), nameof(CustomerDailyPurchases.Day) }));
        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentDailyPurchases_Day").Columns,
            Is.EqualTo(new[]
            {
                nameof(CustomerDailyPurchases.Day), nameof(CustomerDailyPurchases.CustomerId), nameof(CustomerDailyPurchases.StoreId),
                nameof(CustomerDailyPurchases.OrderCount), nameof(CustomerDailyPurchases.TotalSpent)
            }));

        //after the ones installed before it; its own down removes only its table
        var migrations = Shop.PluginMigrations().Migrations;
        var version = migrations.Single(m => m.Type == typeof(DailyPurchasesMigration)).Version;
        Assert.That(migrations.Where(m => m.Type == typeof(OrderStatisticsMigration) || m.Type == typeof(SegmentTextCharacterSetMigration))
            .Select(m => m.Version), Has.All.LessThan(version));
        FluentMigratorHost.Down(Database, new DailyPurchasesMigration());
        var tables = await _catalog.GetTablesAsync();
        Assert.That(tables, Does.Not.Contain(CustomerSegmentsDefaults.DailyPurchasesTableName));
        Assert.That(tables, Does.Contain(CustomerSegmentsDefaults.OrderStatisticsTableName));
        FluentMigratorHost.Up(Database, new DailyPurchasesMigration());

        Shop.PluginMigrations().Down();
        Assert.That(await _catalog.TableExistsAsync(CustomerSegmentsDefaults.DailyPurchasesTableName), Is.False);
    }

    [Test]
    public async Task ThePurchasedProductsMigrationCreatesItsTableAndIndexesAndDropsThem()
    {
        Shop.PluginMigrations().Up();

        var columns = await _catalog.GetColumnsAsync(CustomerSegmentsDefaults.PurchasedProductsTableName);
        Assert.That(columns.Select(c => c.Name), Is.EquivalentTo(new[]
        {
            nameof(CustomerPurchasedProduct.Id), nameof(CustomerPurchasedProduct.CustomerId), nameof(CustomerPurchasedProduct.StoreId),
            nameof(CustomerPurchasedProduct.ProductId), nameof(CustomerPurchasedProduct.LastPurchasedOnUtc)
        }));
        Assert.That(columns.Where(c => c.IsNullable), Is.Empty);

        var indexes = await _catalog.GetIndexesAsync(CustomerSegmentsDefaults.PurchasedProductsTableName);
        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentPurchasedProduct_Customer_Store_Product").Columns,
            Is.EqualTo(new[] { nameof(CustomerPurchasedProduct.CustomerId), nameof(CustomerPurchasedProduct.StoreId), nameof(CustomerPurchasedProduct.ProductId) }));
        Assert.That(indexes.Single(i => i.Name == "IX_CustomerSegmentPurchasedProduct_Product").Columns,
            Is.EqualTo(new[]
            {
                nameof(CustomerPurchasedProduct.ProductId), nameof(CustomerPurchasedProduct.CustomerId), nameof(CustomerPurchasedProduct.StoreId),
                nameof(CustomerPurchasedProduct.LastPurchasedOnUtc)
            }));
        Assert.That(indexes.Single(i => i.Name == PurchasedProductsByDateMigration.IndexName).Columns,
            Is.EqualTo(new[] { nameof(CustomerPurchasedProduct.CustomerId), nameof(CustomerPurchasedProduct.LastPurchasedOnUtc) }));

        //its own down removes only its table
        FluentMigratorHost.Down(Database, new PurchasedProductsMigration());
        var tables = await _catalog.GetTablesAsync();
        Assert.That(tables, Does.Not.Contain(CustomerSegmentsDefaults.PurchasedProductsTableName));
        Assert.That(tables, Does.Contain(CustomerSegmentsDefaults.DailyPurchasesTableName));
        FluentMigratorHost.Up(Database, new PurchasedProductsMigration());

        Shop.PluginMigrations().Down();
        Assert.That(await _catalog.TableExistsAsync(CustomerSegmentsDefaults.PurchasedProductsTableName), Is.False);
    }

    [Test]
    public async Task TheIndexOfProductsByDateIsAddedToTheTableAndRemovedAlone()
    {
        async Task<List<string>> IndexNamesAsync() =>
            (await _catalog.GetIndexesAsync(CustomerSegmentsDefaults.PurchasedProductsTableName)).Select(i => i.Name).ToList();

        Shop.PluginMigrations().Up();
        await Repository<CustomerPurchasedProduct>().InsertAsync(new CustomerPurchasedProduct { CustomerId = 7, StoreId = 1, ProductId = 3, LastPurchasedOnUtc = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc) }, false);

        FluentMigratorHost.Down(Database, new PurchasedProductsByDateMigration());
        var indexes = await IndexNamesAsync();
        Assert.That(indexes, Does.Not.Contain(PurchasedProductsByDateMigration.IndexName));
        Assert.That(indexes, Does.Contain("IX_CustomerSegmentPurchasedProduct_Product"));
        Assert.That(await Repository<CustomerPurchasedProduct>().Table.CountAsync(), Is.EqualTo(1), "the rows stay");

        //added to a table that already holds rows; a second down or up finds it gone or there and changes nothing
        FluentMigratorHost.Up(Database, new PurchasedProductsByDateMigration());
        FluentMigratorHost.Up(Database, new PurchasedProductsByDateMigration());
        Assert.That(await IndexNamesAsync(), Does.Contain(PurchasedProductsByDateMigration.IndexName));
        FluentMigratorHost.Down(Database, new PurchasedProductsByDateMigration());
        FluentMigratorHost.Down(Database, new PurchasedProductsByDateMigration());
        Assert.That(await IndexNamesAsync(), Does.Not.Contain(PurchasedProductsByDateMigration.IndexName));
        FluentMigratorHost.Up(Database, new PurchasedProductsByDateMigration());

        Shop.PluginMigrations().Down();
        Assert.That(await _catalog.TableExistsAsync(CustomerSegmentsDefaults.PurchasedProductsTableName), Is.False);
    }

    [Test]
    public async Task ThePendingCustomerMigrationCreatesItsTableAndDropsItAlone()
    {
        Shop.PluginMigrations().Up();

        var columns = await _catalog.GetColumnsAsync(CustomerSegmentsDefaults.PendingCustomerTableName);
        Assert.That(columns.Select(c => c.Name), Is.EquivalentTo(new[]
        {
            nameof(SegmentPendingCustomer.Id), nameof(SegmentPendingCustomer.CustomerId), nameof(SegmentPendingCustomer.DataSourcesId),
            nameof(SegmentPendingCustomer.QueuedOnUtc)
        }));
        Assert.That(columns.Where(c => c.IsNullable), Is.Empty);

        //up again changes nothing; down twice is harmless and leaves the other tables
        FluentMigratorHost.Up(Database, new PendingCustomerMigration());
        FluentMigratorHost.Down(Database, new PendingCustomerMigration());
        FluentMigratorHost.Down(Database, new PendingCustomerMigration());
        var tables = await _catalog.GetTablesAsync();
        Assert.That(tables, Does.Not.Contain(CustomerSegmentsDefaults.PendingCustomerTableName));
        Assert.That(tables, Does.Contain(CustomerSegmentsDefaults.MembershipTableName));
        FluentMigratorHost.Up(Database, new PendingCustomerMigration());

        Shop.PluginMigrations().Down();
        Assert.That(await _catalog.TableExistsAsync(CustomerSegmentsDefaults.PendingCustomerTableName), Is.False);
    }

    [Test]
    public async Task AShopOnTheFirstVersionGetsEveryLaterTableWhenThePluginIsUpdated()
    {
        //nopCommerce runs the Installation and NoMatter migrations on install, the Update and NoMatter ones on update
        FluentMigratorHost.Up(Database, new SchemaMigration());

        var applied = Shop.PluginMigrations().Up(Nop.Data.Migrations.MigrationProcessType.Update);

        Assert.That(applied.Select(m => m.Type), Does.Not.Contain(typeof(SchemaMigration)));
        var tables = await _catalog.GetTablesAsync();
        Assert.That(tables, Is.SupersetOf(new[]
        {
            CustomerSegmentsDefaults.LeaseTableName, CustomerSegmentsDefaults.RebuildRunTableName, CustomerSegmentsDefaults.OrderStatisticsTableName,
            CustomerSegmentsDefaults.DailyPurchasesTableName, CustomerSegmentsDefaults.PurchasedProductsTableName,
            CustomerSegmentsDefaults.PendingCustomerTableName
        }));
        Assert.That((await _catalog.GetIndexesAsync(CustomerSegmentsDefaults.PurchasedProductsTableName)).Select(i => i.Name),
            Does.Contain(PurchasedProductsByDateMigration.IndexName));
        var segmentColumns = (await _catalog.GetColumnsAsync(CustomerSegmentsDefaults.SegmentTableName)).Select(c => c.Name);
        Assert.That(segmentColumns, Does.Contain(nameof(Segment.ShopperMessage)));
    }

    private void TryDown()
    {
        var tables = _catalog.GetTablesAsync().GetAwaiter().GetResult();
        if (tables.Contains(CustomerSegmentsDefaults.SegmentTableName))
            Shop.PluginMigrations().Down();
    }
}
