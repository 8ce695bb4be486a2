using System.Collections.Concurrent;
using Nop.Core;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// A nopCommerce data layer on one test database, without a service container: the data provider and a
/// repository for any entity. Entity events of the repositories are recorded in <see cref="Events"/> and
/// handed to <see cref="OnEntityEvent"/> when set.
/// </summary>
public class TestShop : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Type, object> _repositories = new();
    private readonly bool _ownsDatabase;

    public TestShop(TestDatabase database, bool ownsDatabase = false)
        : this(database, new TestDataProvider(database), ownsDatabase)
    {
    }

    /// <summary>
    /// A shop over the given data provider (e.g. one with an interceptor)
    /// </summary>
    public TestShop(TestDatabase database, TestDataProvider dataProvider, bool ownsDatabase = false)
    {
        Database = database ?? throw new ArgumentNullException(nameof(database));
        DataProvider = dataProvider ?? throw new ArgumentNullException(nameof(dataProvider));
        _ownsDatabase = ownsDatabase;
    }

    /// <summary>
    /// A new database with nopCommerce's common tables (<see cref="NopSchema.CommonTables"/>) and the plugin's
    /// tables; disposing the shop drops the database
    /// </summary>
    public static async Task<TestShop> CreateAsync(DatabaseEngine engine, string label = "shop", IEnumerable<string> nopTables = null)
    {
        var database = await TestDatabase.CreateAsync(engine, label);
        try
        {
            NopSchema.CreateTables(database, nopTables ?? NopSchema.CommonTables);
            new PluginMigrationRunner(database).Up();
            return new TestShop(database, ownsDatabase: true);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public TestDatabase Database { get; }

    public TestDataProvider DataProvider { get; }

    /// <summary>
    /// Events published by the repositories, in order
    /// </summary>
    public ConcurrentQueue<EntityEvent> Events { get; } = new();

    /// <summary>
    /// Called for each entity event after it is recorded (e.g. to run the plugin's event consumers)
    /// </summary>
    public EntityEventHandler OnEntityEvent { get; set; }

    public IRepository<TEntity> Repository<TEntity>() where TEntity : BaseEntity =>
        (IRepository<TEntity>)_repositories.GetOrAdd(typeof(TEntity), _ => new TestRepository<TEntity>(DataProvider, PublishAsync));

    public PluginMigrationRunner PluginMigrations() => new(Database);

    private async Task PublishAsync(EntityEvent entityEvent)
    {
        Events.Enqueue(entityEvent);
        if (OnEntityEvent != null)
            await OnEntityEvent(entityEvent);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDatabase)
            await Database.DisposeAsync();
    }
}
