using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.SqlServer;

/// <summary>
/// A SQLite shop with nopCommerce's common tables and the plugin's, whose statements are also built for SQL Server
/// (see <see cref="SqlServerDryRun"/>); the statements recorded are cleared before each test
/// </summary>
public abstract class SqlServerDryRunFixture
{
    protected static readonly DateTime _now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    protected readonly SqlServerDryRun _dryRun = new();
    protected TestDatabase _database;
    protected TestShop _shop;

    /// <summary>
    /// nopCommerce tables the fixture needs besides the common ones
    /// </summary>
    protected virtual string[] MoreTables => [];

    /// <summary>
    /// Fills the shop once, before the fixture's tests
    /// </summary>
    protected virtual Task FillShopAsync() => Task.CompletedTask;

    [OneTimeSetUp]
    public async Task CreateShopAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseEngine.Sqlite, GetType().Name);
        NopSchema.CreateCommonTables(_database);
        if (MoreTables.Length > 0)
            NopSchema.CreateTables(_database, MoreTables);
        new TestKit.Migrations.PluginMigrationRunner(_database).Up();
        _shop = new TestShop(_database, new TestDataProvider(_database, _dryRun));

        await FillShopAsync();
    }

    [OneTimeTearDown]
    public async Task DropShopAsync()
    {
        if (_database != null)
            await _database.DisposeAsync();
    }

    [SetUp]
    public void ClearStatements() => _dryRun.Clear();
}
