using System.Data.Common;
using System.Security.Cryptography;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider;
using LinqToDB.Mapping;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// A fresh, uniquely named database on one engine (a temporary file for SQLite, CREATE DATABASE on the
/// servers), dropped on dispose. Several test runs may share the servers at once: names never collide.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable, IDisposable
{
    private bool _disposed;

    private TestDatabase(DatabaseEngine engine, string name, string connectionString, DatabaseServerSettings server, string filePath)
    {
        Engine = engine;
        Name = name;
        ConnectionString = connectionString;
        Server = server;
        FilePath = filePath;
        DataProvider = LinqToDbProviders.Get(engine);
        MappingSchema = LinqToDbProviders.GetMappingSchema(engine);
    }

    public DatabaseEngine Engine { get; }

    /// <summary>
    /// Whether disposing leaves the database in place (named databases the benchmark caches between runs)
    /// </summary>
    public bool KeepOnDispose { get; private set; }

    /// <summary>
    /// Database name (for SQLite: the file name without extension)
    /// </summary>
    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// The server, or null for SQLite
    /// </summary>
    public DatabaseServerSettings Server { get; }

    /// <summary>
    /// The SQLite database file, or null for the servers
    /// </summary>
    public string FilePath { get; }

    /// <summary>
    /// The linq2db provider nopCommerce uses for the engine (SQLite: Microsoft.Data.Sqlite; MySQL/MariaDB: MySqlConnector)
    /// </summary>
    public IDataProvider DataProvider { get; }

    /// <summary>
    /// nopCommerce's table mapping (see <see cref="NopEntityMap"/>)
    /// </summary>
    public MappingSchema MappingSchema { get; }

    /// <summary>
    /// Creates a new empty database
    /// </summary>
    /// <param name="engine">Database engine</param>
    /// <param name="label">A few letters to recognize the database by (e.g. the fixture)</param>
    public static async Task<TestDatabase> CreateAsync(DatabaseEngine engine, string label = "test", CancellationToken cancellationToken = default)
    {
        var name = UniqueName(label);

        switch (engine)
        {
            case DatabaseEngine.Sqlite:
            {
                Directory.CreateDirectory(DatabaseServerSettings.SqliteDirectory);
                var path = Path.Combine(DatabaseServerSettings.SqliteDirectory, name + ".db");
                var connectionString = new SqliteConnectionStringBuilder
                {
                    DataSource = path,
                    Mode = SqliteOpenMode.ReadWriteCreate,
                    Pooling = true,
                    DefaultTimeout = 60
                }.ToString();

                await using (var connection = new SqliteConnection(connectionString))
                {
                    await connection.OpenAsync(cancellationToken);
                    await using var command = connection.CreateCommand();
                    //WAL lets readers run while another connection writes
                    command.CommandText = "PRAGMA journal_mode=WAL;";
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                return new TestDatabase(engine, name, connectionString, null, path);
            }

            case DatabaseEngine.PostgreSql:
            {
                var server = DatabaseServerSettings.For(engine);
                await using (var connection = new NpgsqlConnection(ServerConnectionString(engine, server, "postgres")))
                {
                    await connection.OpenAsync(cancellationToken);
                    await ExecuteAsync(connection, $"CREATE DATABASE \"{name}\" ENCODING 'UTF8'", cancellationToken);
                }

                var database = new TestDatabase(engine, name, ServerConnectionString(engine, server, name), server, null);
                //nopCommerce compares strings on PostgreSQL as citext (case-insensitive), as it sends string parameters
                await using (var connection = new NpgsqlConnection(database.ConnectionString))
                {
                    await connection.OpenAsync(cancellationToken);
                    await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS citext", cancellationToken);
                    //Npgsql caches the database's types per connection string: make it learn citext
                    await connection.ReloadTypesAsync(cancellationToken);
                }

                return database;
            }

            case DatabaseEngine.MySql:
            {
                var server = DatabaseServerSettings.For(engine);
                await using (var connection = new MySqlConnection(ServerConnectionString(engine, server, null)))
                {
                    await connection.OpenAsync(cancellationToken);
                    await ExecuteAsync(connection,
                        $"CREATE DATABASE `{name}` CHARACTER SET {Migrations.NopMySqlTypeMap.CharacterSet} COLLATE {Migrations.NopMySqlTypeMap.Collation}", cancellationToken);
                }

                return new TestDatabase(engine, name, ServerConnectionString(engine, server, name), server, null);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(engine), engine, null);
        }
    }

    /// <summary>
    /// Opens the database with the given name, creating it empty when missing; disposing keeps it. For data
    /// that is expensive to make and reused between runs (the benchmark's shop). SQLite files live in
    /// <paramref name="sqliteDirectory"/> (default: the test folder). On PostgreSQL, <paramref name="maxAutoPrepare"/>
    /// above 0 lets Npgsql prepare that many of the most used statements per connection (its Max Auto Prepare).
    /// </summary>
    /// <returns>The database and whether it already existed</returns>
    public static async Task<(TestDatabase Database, bool Existed)> OpenOrCreateNamedAsync(DatabaseEngine engine, string name,
        string sqliteDirectory = null, int maxAutoPrepare = 0, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            throw new ArgumentException("Use lower-case letters, digits and underscores", nameof(name));

        TestDatabase database;
        bool existed;
        switch (engine)
        {
            case DatabaseEngine.Sqlite:
            {
                var directory = sqliteDirectory ?? DatabaseServerSettings.SqliteDirectory;
                Directory.CreateDirectory(directory);
                var path = Path.Combine(directory, name + ".db");
                existed = File.Exists(path);
                var connectionString = new SqliteConnectionStringBuilder
                {
                    DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 600
                }.ToString();
                database = new TestDatabase(engine, name, connectionString, null, path);
                break;
            }

            case DatabaseEngine.PostgreSql:
            {
                var server = DatabaseServerSettings.For(engine);
                await using (var connection = new NpgsqlConnection(ServerConnectionString(engine, server, "postgres")))
                {
                    await connection.OpenAsync(cancellationToken);
                    existed = (await QueryNamesAsync(connection, $"SELECT datname FROM pg_database WHERE datname = '{name}'", cancellationToken)).Count > 0;
                    if (!existed)
                        await ExecuteAsync(connection, $"CREATE DATABASE \"{name}\" ENCODING 'UTF8'", cancellationToken);
                }

                database = new TestDatabase(engine, name, ServerConnectionString(engine, server, name, maxAutoPrepare: maxAutoPrepare), server, null);
                await using (var connection = new NpgsqlConnection(database.ConnectionString))
                {
                    await connection.OpenAsync(cancellationToken);
                    await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS citext", cancellationToken);
                    await connection.ReloadTypesAsync(cancellationToken);
                }

                break;
            }

            default:
                throw new NotSupportedException($"Named databases are available on SQLite and PostgreSQL, not {engine}");
        }

        database.KeepOnDispose = true;
        return (database, existed);
    }

    /// <summary>
    /// Drops a database <see cref="OpenOrCreateNamedAsync"/> made (to regenerate it)
    /// </summary>
    public async Task DropAsync()
    {
        KeepOnDispose = false;
        await DisposeAsync();
    }

    /// <summary>
    /// Tells whether the engine's server accepts the test login; for SQLite always true
    /// </summary>
    /// <returns>null when reachable, else why not</returns>
    public static async Task<string> CheckServerAsync(DatabaseEngine engine, CancellationToken cancellationToken = default)
    {
        if (engine == DatabaseEngine.Sqlite)
            return null;

        var server = DatabaseServerSettings.For(engine);
        try
        {
            await using DbConnection connection = engine == DatabaseEngine.PostgreSql
                ? new NpgsqlConnection(ServerConnectionString(engine, server, "postgres", timeoutSeconds: 3))
                : new MySqlConnection(ServerConnectionString(engine, server, null, timeoutSeconds: 3));
            await connection.OpenAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is DbException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return $"{engine} server {server} is not reachable ({e.Message.Split('\n')[0]})";
        }
    }

    public static async Task<bool> IsServerReachableAsync(DatabaseEngine engine, CancellationToken cancellationToken = default) =>
        await CheckServerAsync(engine, cancellationToken) is null;

    /// <summary>
    /// linq2db options for this database with nopCommerce's mapping
    /// </summary>
    public DataOptions CreateDataOptions()
    {
        var options = new DataOptions()
            .UseConnectionString(DataProvider, ConnectionString)
            .UseMappingSchema(MappingSchema);

        //CS_TRACE_SQL=1: every statement with its time on the standard error (to read the SQL linq2db writes)
        return Environment.GetEnvironmentVariable("CS_TRACE_SQL") == "1"
            ? options.UseTracing(System.Diagnostics.TraceLevel.Info, info =>
            {
                if (info.TraceInfoStep is LinqToDB.Data.TraceInfoStep.AfterExecute or LinqToDB.Data.TraceInfoStep.Completed)
                    Console.Error.WriteLine($"-- SQL {info.TraceInfoStep} {info.ExecutionTime?.TotalMilliseconds:N0} ms\n{info.SqlText}\n");
            })
            : options;
    }

    /// <summary>
    /// A linq2db connection (dispose it)
    /// </summary>
    public DataConnection CreateDataConnection() => new(CreateDataOptions()) { CommandTimeout = 300 };

    /// <summary>
    /// A plain ADO.NET connection, not opened
    /// </summary>
    public DbConnection CreateDbConnection() => Engine switch
    {
        DatabaseEngine.Sqlite => new SqliteConnection(ConnectionString),
        DatabaseEngine.PostgreSql => new NpgsqlConnection(ConnectionString),
        DatabaseEngine.MySql => new MySqlConnection(ConnectionString),
        _ => throw new ArgumentOutOfRangeException()
    };

    public override string ToString() => $"{Engine} database {Name}";

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;

        _disposed = true;
        if (KeepOnDispose)
            return;

        switch (Engine)
        {
            case DatabaseEngine.Sqlite:
                SqliteConnection.ClearAllPools();
                foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
                {
                    try
                    {
                        File.Delete(FilePath + suffix);
                    }
                    catch (IOException)
                    {
                        //a file still open elsewhere goes with the temp folder
                    }
                }

                break;

            case DatabaseEngine.PostgreSql:
                NpgsqlConnection.ClearAllPools();
                await using (var connection = new NpgsqlConnection(ServerConnectionString(Engine, Server, "postgres")))
                {
                    await connection.OpenAsync();
                    await DropPostgresDatabaseAsync(connection, Name, default);
                }

                break;

            case DatabaseEngine.MySql:
                await MySqlConnection.ClearAllPoolsAsync();
                await using (var connection = new MySqlConnection(ServerConnectionString(Engine, Server, null)))
                {
                    await connection.OpenAsync();
                    await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS `{Name}`", default);
                }

                break;
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Drops the test databases that runs which never finished (killed, crashed) left behind: those named like
    /// ours and created longer ago than <paramref name="olderThan"/>. Recent ones may belong to a run going on.
    /// </summary>
    /// <returns>The names of the databases dropped</returns>
    public static async Task<IReadOnlyList<string>> DropStaleAsync(DatabaseEngine engine, TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        var limit = DateTime.UtcNow - olderThan;
        bool IsStale(string name)
        {
            var match = System.Text.RegularExpressions.Regex.Match(name, @"^cs_[a-z0-9]+_(\d{12})_[0-9a-f]{10}$");
            return match.Success
                && DateTime.TryParseExact(match.Groups[1].Value, "yyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var created)
                && created < limit;
        }

        var dropped = new List<string>();
        switch (engine)
        {
            case DatabaseEngine.Sqlite:
                if (!Directory.Exists(DatabaseServerSettings.SqliteDirectory))
                    break;
                foreach (var file in Directory.EnumerateFiles(DatabaseServerSettings.SqliteDirectory, "cs_*"))
                {
                    var name = Path.GetFileName(file);
                    var database = name.Split('.')[0];
                    if (!IsStale(database))
                        continue;
                    try
                    {
                        File.Delete(file);
                        dropped.Add(name);
                    }
                    catch (IOException)
                    {
                    }
                }

                break;

            case DatabaseEngine.PostgreSql:
            {
                var server = DatabaseServerSettings.For(engine);
                await using var connection = new NpgsqlConnection(ServerConnectionString(engine, server, "postgres"));
                await connection.OpenAsync(cancellationToken);
                foreach (var name in (await QueryNamesAsync(connection, "SELECT datname FROM pg_database WHERE datname LIKE 'cs\\_%'", cancellationToken)).Where(IsStale))
                {
                    await DropPostgresDatabaseAsync(connection, name, cancellationToken);
                    dropped.Add(name);
                }

                break;
            }

            case DatabaseEngine.MySql:
            {
                var server = DatabaseServerSettings.For(engine);
                await using var connection = new MySqlConnection(ServerConnectionString(engine, server, null));
                await connection.OpenAsync(cancellationToken);
                foreach (var name in (await QueryNamesAsync(connection, "SHOW DATABASES LIKE 'cs\\_%'", cancellationToken)).Where(IsStale))
                {
                    await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS `{name}`", cancellationToken);
                    dropped.Add(name);
                }

                break;
            }
        }

        return dropped;
    }

    /// <summary>
    /// Drops a PostgreSQL database: ends the test login's own sessions on it, then DROP DATABASE, which stops an
    /// autovacuum worker there by itself. (DROP ... WITH (FORCE) refuses a non-superuser when autovacuum is on
    /// the database: "must be a member of the role whose process is being terminated or member of pg_signal_backend".)
    /// </summary>
    private static async Task DropPostgresDatabaseAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using (var terminate = new NpgsqlCommand(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND usename = current_user AND pid <> pg_backend_pid()", connection))
            {
                terminate.Parameters.AddWithValue("name", name);
                await terminate.ExecuteNonQueryAsync(cancellationToken);
            }

            try
            {
                await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS \"{name}\"", cancellationToken);
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 5)
            {
                //a session was still closing
                await Task.Delay(200 * attempt, cancellationToken);
            }
        }
    }

    private static async Task<List<string>> QueryNamesAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            names.Add(reader.GetString(0));

        return names;
    }

    private static string UniqueName(string label)
    {
        var clean = new string((label ?? "test").ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
        var random = Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant();

        return $"cs_{(clean.Length > 0 ? clean : "test")}_{DateTime.UtcNow:yyMMddHHmmss}_{random}";
    }

    private static string ServerConnectionString(DatabaseEngine engine, DatabaseServerSettings server, string database, int timeoutSeconds = 15, int maxAutoPrepare = 0) =>
        engine switch
        {
            DatabaseEngine.PostgreSql => new NpgsqlConnectionStringBuilder
            {
                Host = server.Host,
                Port = server.Port,
                Username = server.User,
                Password = server.Password,
                Database = database,
                Timeout = timeoutSeconds,
                CommandTimeout = 300,
                MaxPoolSize = 50,
                MaxAutoPrepare = maxAutoPrepare
            }.ToString(),
            DatabaseEngine.MySql => new MySqlConnectionStringBuilder
            {
                Server = server.Host,
                Port = (uint)server.Port,
                UserID = server.User,
                Password = server.Password,
                Database = database ?? string.Empty,
                ConnectionTimeout = (uint)timeoutSeconds,
                DefaultCommandTimeout = 300,
                AllowUserVariables = true,
                //as nopCommerce 4.90's MySqlNopDataProvider.BuildConnectionString writes it: a TransactionScope is one
                //plain transaction at the scope's isolation level, not an XA transaction per connection
                UseXaTransactions = false,
                MaximumPoolSize = 50,
                CharacterSet = "utf8mb4"
            }.ToString(),
            _ => throw new ArgumentOutOfRangeException(nameof(engine))
        };

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
