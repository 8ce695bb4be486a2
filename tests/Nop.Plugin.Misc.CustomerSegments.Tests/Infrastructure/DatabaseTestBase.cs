using Nop.Core;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

/// <summary>
/// Base of fixtures that run on a real database: the fixture runs once per engine (SQLite, PostgreSQL,
/// MariaDB) on a fresh database of its own, with nopCommerce's common tables and the plugin's tables.
/// A server that is not running makes its fixtures ignored, with how to start it; under CI (CI=true) they fail.
/// Override <see cref="CreateSchemaAsync"/> for other tables.
/// </summary>
[TestFixtureSource(typeof(DatabaseTestBase), nameof(Engines))]
public abstract class DatabaseTestBase
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<DatabaseEngine, Lazy<Task>> _staleDropped = new();

    public static IEnumerable<DatabaseEngine> Engines => Enum.GetValues<DatabaseEngine>();

    protected DatabaseTestBase(DatabaseEngine engine)
    {
        Engine = engine;
    }

    protected DatabaseEngine Engine { get; }

    protected TestDatabase Database { get; private set; }

    protected TestShop Shop { get; private set; }

    protected INopDataProvider DataProvider => Shop.DataProvider;

    protected IRepository<TEntity> Repository<TEntity>() where TEntity : BaseEntity => Shop.Repository<TEntity>();

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        await RequireServerAsync(Engine);

        //once per run and engine: databases of runs that were killed more than a day ago
        await _staleDropped.GetOrAdd(Engine, engine => new Lazy<Task>(() => TestDatabase.DropStaleAsync(engine, TimeSpan.FromDays(1)))).Value;

        Database = await TestDatabase.CreateAsync(Engine, GetType().Name);
        Shop = new TestShop(Database);
        await CreateSchemaAsync();
    }

    [OneTimeTearDown]
    public async Task DropDatabaseAsync()
    {
        if (Database != null)
            await Database.DisposeAsync();
    }

    /// <summary>
    /// Creates the tables the fixture needs: by default nopCommerce's common tables and the plugin's migrations
    /// </summary>
    protected virtual Task CreateSchemaAsync()
    {
        TestKit.Schema.NopSchema.CreateCommonTables(Database);
        Shop.PluginMigrations().Up();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Ignores the test when the engine's server is not reachable; fails under CI
    /// </summary>
    public static async Task RequireServerAsync(DatabaseEngine engine)
    {
        var problem = await TestDatabase.CheckServerAsync(engine);
        if (problem == null)
            return;

        var message = $"{problem}: {DatabaseServerSettings.HowToStartServers}";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message);

        Assert.Ignore(message);
    }
}
