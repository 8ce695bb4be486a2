using System.Linq.Expressions;
using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using LinqToDB.Tools;
using Nop.Core;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Data;

/// <summary>
/// nopCommerce's data provider over a test database: linq2db with nopCommerce's mapping, each operation on
/// its own connection as nopCommerce's BaseDataProvider does. Database administration members
/// (create, backup, restore, reindex) are not supported.
/// </summary>
public class TestDataProvider : INopDataProvider
{
    private readonly TestDatabase _database;
    private readonly LinqToDB.Interceptors.IInterceptor _interceptor;

    /// <param name="database">The test database</param>
    /// <param name="interceptor">A linq2db interceptor on every connection of this provider (e.g. to inject faults), or null</param>
    public TestDataProvider(TestDatabase database, LinqToDB.Interceptors.IInterceptor interceptor = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _interceptor = interceptor;
    }

    protected virtual DataOptions CreateDataOptions() =>
        _interceptor == null ? _database.CreateDataOptions() : _database.CreateDataOptions().UseInterceptor(_interceptor);

    public TestDatabase Database => _database;

    public string ConfigurationName => _database.DataProvider.Name;

    public int SupportedLengthOfBinaryHash => 0;

    public bool BackupSupported => false;

    protected virtual DataConnection CreateDataConnection() => new(CreateDataOptions()) { CommandTimeout = 300 };

    protected virtual bool HasIdentity<TEntity>() where TEntity : BaseEntity =>
        NopEntityMap.Default.Get<TEntity>()?.Identity != null;

    protected virtual string TableName<TEntity>() where TEntity : BaseEntity =>
        NopEntityMap.Default.Get<TEntity>()?.TableName ?? throw new InvalidOperationException($"{typeof(TEntity)} is not mapped");

    #region Database

    public void CreateDatabase(int triesToConnect = 10) =>
        throw new NotSupportedException("Test databases are created by TestDatabase.CreateAsync");

    public void InitializeDatabase() =>
        throw new NotSupportedException("Create tables with NopSchema and PluginMigrationRunner");

    public bool DatabaseExists() => DatabaseExistsAsync().GetAwaiter().GetResult();

    public async Task<bool> DatabaseExistsAsync()
    {
        try
        {
            await using var connection = _database.CreateDbConnection();
            await connection.OpenAsync();
            return true;
        }
        catch (System.Data.Common.DbException)
        {
            return false;
        }
    }

    public Task BackupDatabaseAsync(string fileName) => throw new NotSupportedException("Backups are not supported on test databases");

    public Task RestoreDatabaseAsync(string backupFileName) => throw new NotSupportedException("Backups are not supported on test databases");

    public Task ReIndexTablesAsync() => throw new NotSupportedException("Re-indexing is not supported on test databases");

    public Task ShrinkDatabaseAsync() => throw new NotSupportedException("Shrinking is not supported on test databases");

    public string BuildConnectionString(INopConnectionStringInfo nopConnectionString) =>
        throw new NotSupportedException("Test databases have their connection string: TestDatabase.ConnectionString");

    public async Task<string> GetDataBaseCollationAsync()
    {
        var sql = _database.Engine switch
        {
            DatabaseEngine.PostgreSql => "SELECT datcollate FROM pg_database WHERE datname = current_database()",
            DatabaseEngine.MySql => "SELECT @@collation_database",
            _ => null
        };
        if (sql == null)
            return "BINARY";

        using var dataConnection = CreateDataConnection();
        return (await dataConnection.QueryToListAsync<string>(sql)).FirstOrDefault();
    }

    public string GetIndexName(string targetTable, string targetColumn) => $"IX_{targetTable}_{targetColumn}";

    public string CreateForeignKeyName(string foreignTable, string foreignColumn, string primaryTable, string primaryColumn) =>
        $"FK_{foreignTable}_{foreignColumn}_{primaryTable}_{primaryColumn}";

    #endregion

    #region Entities

    public virtual IQueryable<TEntity> GetTable<TEntity>() where TEntity : BaseEntity =>
        new DataContext(CreateDataOptions()) { CommandTimeout = 300 }.GetTable<TEntity>();

    /// <summary>
    /// Inserts the entity and sets its Id; an entity of a mapping table keyed by its columns has no Id to set
    /// </summary>
    public virtual async Task<TEntity> InsertEntityAsync<TEntity>(TEntity entity) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        if (HasIdentity<TEntity>())
            entity.Id = await dataConnection.InsertWithInt32IdentityAsync(entity);
        else
            await dataConnection.InsertAsync(entity);

        return entity;
    }

    public virtual TEntity InsertEntity<TEntity>(TEntity entity) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        if (HasIdentity<TEntity>())
            entity.Id = dataConnection.InsertWithInt32Identity(entity);
        else
            dataConnection.Insert(entity);

        return entity;
    }

    public virtual async Task UpdateEntityAsync<TEntity>(TEntity entity) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        await dataConnection.UpdateAsync(entity);
    }

    public virtual void UpdateEntity<TEntity>(TEntity entity) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        dataConnection.Update(entity);
    }

    public virtual async Task UpdateEntitiesAsync<TEntity>(IEnumerable<TEntity> entities) where TEntity : BaseEntity
    {
        foreach (var entity in entities)
            await UpdateEntityAsync(entity);
    }

    public virtual void UpdateEntities<TEntity>(IEnumerable<TEntity> entities) where TEntity : BaseEntity
    {
        foreach (var entity in entities)
            UpdateEntity(entity);
    }

    public virtual async Task DeleteEntityAsync<TEntity>(TEntity entity) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        await dataConnection.DeleteAsync(entity);
    }

    public virtual void DeleteEntity<TEntity>(TEntity entity) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        dataConnection.Delete(entity);
    }

    public virtual async Task BulkDeleteEntitiesAsync<TEntity>(IList<TEntity> entities) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        if (entities.All(entity => entity.Id == 0))
        {
            foreach (var entity in entities)
                await dataConnection.DeleteAsync(entity);
        }
        else
        {
            var ids = entities.Select(e => e.Id).ToList();
            await dataConnection.GetTable<TEntity>().Where(e => ids.Contains(e.Id)).DeleteAsync();
        }
    }

    public virtual void BulkDeleteEntities<TEntity>(IList<TEntity> entities) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        if (entities.All(entity => entity.Id == 0))
        {
            foreach (var entity in entities)
                dataConnection.Delete(entity);
        }
        else
        {
            var ids = entities.Select(e => e.Id).ToList();
            dataConnection.GetTable<TEntity>().Where(e => ids.Contains(e.Id)).Delete();
        }
    }

    public virtual async Task<int> BulkDeleteEntitiesAsync<TEntity>(Expression<Func<TEntity, bool>> predicate) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        return await dataConnection.GetTable<TEntity>().Where(predicate).DeleteAsync();
    }

    public virtual int BulkDeleteEntities<TEntity>(Expression<Func<TEntity, bool>> predicate) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        return dataConnection.GetTable<TEntity>().Where(predicate).Delete();
    }

    /// <summary>
    /// Bulk copy, as nopCommerce: ids are taken from the table's identity first, so the entities get their Id
    /// </summary>
    public virtual async Task BulkInsertEntitiesAsync<TEntity>(IEnumerable<TEntity> entities) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        var list = entities.ToList();
        if (list.Count == 0)
            return;

        if (!HasIdentity<TEntity>())
            await dataConnection.BulkCopyAsync(list);
        else
            await dataConnection.BulkCopyAsync(new BulkCopyOptions { KeepIdentity = true },
                list.RetrieveIdentity(dataConnection, useSequenceName: _database.Engine == DatabaseEngine.PostgreSql));
    }

    public virtual void BulkInsertEntities<TEntity>(IEnumerable<TEntity> entities) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        var list = entities.ToList();
        if (list.Count == 0)
            return;

        if (!HasIdentity<TEntity>())
            dataConnection.BulkCopy(list);
        else
            dataConnection.BulkCopy(new BulkCopyOptions { KeepIdentity = true },
                list.RetrieveIdentity(dataConnection, useSequenceName: _database.Engine == DatabaseEngine.PostgreSql));
    }

    public virtual async Task TruncateAsync<TEntity>(bool resetIdentity = false) where TEntity : BaseEntity
    {
        using var dataConnection = CreateDataConnection();
        await dataConnection.GetTable<TEntity>().TruncateAsync(resetIdentity);
    }

    /// <summary>
    /// The next identity value of the entity's table
    /// </summary>
    public virtual async Task<int?> GetTableIdentAsync<TEntity>() where TEntity : BaseEntity
    {
        var table = TableName<TEntity>();
        using var dataConnection = CreateDataConnection();

        switch (_database.Engine)
        {
            case DatabaseEngine.Sqlite:
            {
                var seq = await dataConnection.QueryToListAsync<long?>(
                    "SELECT seq FROM sqlite_sequence WHERE name = @table", new DataParameter("table", table));
                return (int)(seq.FirstOrDefault() ?? 0) + 1;
            }

            case DatabaseEngine.PostgreSql:
            {
                var sequence = await GetSequenceNameAsync(dataConnection, table);
                var next = await dataConnection.QueryToListAsync<long>(
                    $"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {sequence}");
                return (int)next.Single();
            }

            case DatabaseEngine.MySql:
            {
                var next = await dataConnection.QueryToListAsync<long?>(
                    "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table",
                    new DataParameter("table", table));
                return (int?)next.FirstOrDefault();
            }

            default:
                return null;
        }
    }

    /// <summary>
    /// Moves the table's identity so that the next id is at least <paramref name="ident"/>
    /// </summary>
    public virtual async Task SetTableIdentAsync<TEntity>(int ident) where TEntity : BaseEntity
    {
        var current = await GetTableIdentAsync<TEntity>();
        if (!current.HasValue || ident <= current.Value)
            return;

        var table = TableName<TEntity>();
        using var dataConnection = CreateDataConnection();

        switch (_database.Engine)
        {
            case DatabaseEngine.Sqlite:
                //sqlite_sequence has the last id used; the row exists once the table had an insert
                await dataConnection.ExecuteAsync("DELETE FROM sqlite_sequence WHERE name = @table", new DataParameter("table", table));
                await dataConnection.ExecuteAsync("INSERT INTO sqlite_sequence (name, seq) VALUES (@table, @seq)",
                    new DataParameter("table", table), new DataParameter("seq", ident - 1));
                break;

            case DatabaseEngine.PostgreSql:
                var sequence = await GetSequenceNameAsync(dataConnection, table);
                await dataConnection.ExecuteAsync($"SELECT setval('{sequence.Replace("'", "''")}', @ident, false)",
                    new DataParameter("ident", (long)ident));
                break;

            case DatabaseEngine.MySql:
                await dataConnection.ExecuteAsync($"ALTER TABLE `{table}` AUTO_INCREMENT = {ident}");
                break;
        }
    }

    public virtual Task<IDictionary<int, string>> GetFieldHashesAsync<TEntity>(Expression<Func<TEntity, bool>> predicate,
        Expression<Func<TEntity, int>> keySelector, Expression<Func<TEntity, object>> fieldSelector) where TEntity : BaseEntity =>
        throw new NotSupportedException("Field hashes need engine functions (SHA2, pgcrypto) that the test databases do not all have");

    public virtual Task<ITempDataStorage<TItem>> CreateTempDataStorageAsync<TItem>(string storeKey, IQueryable<TItem> query) where TItem : class =>
        Task.FromResult<ITempDataStorage<TItem>>(new TestTempDataStorage<TItem>(storeKey, query, CreateDataConnection()));

    #endregion

    #region Raw SQL

    public virtual async Task<int> ExecuteNonQueryAsync(string sql, params DataParameter[] dataParameters)
    {
        using var dataConnection = CreateDataConnection();
        return await new CommandInfo(dataConnection, sql, dataParameters).ExecuteAsync();
    }

    public virtual async Task<IList<T>> QueryProcAsync<T>(string procedureName, params DataParameter[] parameters)
    {
        if (_database.Engine == DatabaseEngine.Sqlite)
            throw new NotSupportedException("SQLite has no stored procedures");

        using var dataConnection = CreateDataConnection();
        return (await new CommandInfo(dataConnection, procedureName, parameters).QueryProcAsync<T>()).ToList();
    }

    public virtual async Task<IList<T>> QueryAsync<T>(string sql, params DataParameter[] parameters)
    {
        using var dataConnection = CreateDataConnection();
        return await dataConnection.QueryToListAsync<T>(sql, parameters);
    }

    #endregion

    private static async Task<string> GetSequenceNameAsync(DataConnection dataConnection, string table)
    {
        var names = await dataConnection.QueryToListAsync<string>(
            "SELECT pg_get_serial_sequence(@table, 'Id')", new DataParameter("table", $"\"{table}\""));
        return names.FirstOrDefault() ?? throw new InvalidOperationException($"Table {table} has no identity sequence");
    }
}
