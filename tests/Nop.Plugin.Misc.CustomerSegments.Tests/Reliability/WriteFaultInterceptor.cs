using System.Data;
using System.Data.Common;
using LinqToDB.Common;
using LinqToDB.Interceptors;
using MySqlConnector;
using Npgsql;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// How a write statement fails
/// </summary>
public enum WriteFault
{
    /// <summary>
    /// The statement throws before it reaches the database (the process stopped before it)
    /// </summary>
    ThrowBefore,

    /// <summary>
    /// The statement runs, then the caller gets an exception (the process stopped right after it)
    /// </summary>
    ThrowAfter,

    /// <summary>
    /// Another connection kills the statement's server session (pg_terminate_backend, KILL CONNECTION), then the statement runs on it
    /// </summary>
    KillConnection
}

/// <summary>
/// A linq2db command interceptor that counts write statements (INSERT, UPDATE, DELETE: ExecuteNonQuery) and
/// makes the Nth one fail in the chosen way; reads pass through
/// </summary>
public class WriteFaultInterceptor : ICommandInterceptor
{
    private readonly TestDatabase _database;
    private int _writes;
    private int _failAt;
    private WriteFault _fault;
    private int _injected;
    private bool _outage;

    public WriteFaultInterceptor(TestDatabase database)
    {
        _database = database;
    }

    /// <summary>
    /// Write statements seen since the last <see cref="Arm"/>
    /// </summary>
    public int Writes => _writes;

    /// <summary>
    /// Faults injected since the last <see cref="Arm"/>
    /// </summary>
    public int Injected => _injected;

    /// <summary>
    /// Makes the write statement number <paramref name="failAt"/> fail; 0 lets all pass and only counts
    /// </summary>
    /// <param name="failAt">The first write statement to fail, from 1</param>
    /// <param name="fault">How it fails</param>
    /// <param name="outage">Whether every write after it fails too (the database stays unreachable)</param>
    public void Arm(int failAt, WriteFault fault = WriteFault.ThrowBefore, bool outage = false)
    {
        _writes = 0;
        _injected = 0;
        _failAt = failAt;
        _fault = fault;
        _outage = outage;
    }

    public static bool CanKill(DatabaseEngine engine) => engine is DatabaseEngine.PostgreSql or DatabaseEngine.MySql;

    protected virtual async Task KillAsync(DbConnection victim, CancellationToken cancellationToken)
    {
        await using var killer = _database.CreateDbConnection();
        await killer.OpenAsync(cancellationToken);
        await using var command = killer.CreateCommand();
        switch (victim)
        {
            case NpgsqlConnection postgres:
                //waits (up to 5 s) until the backend is gone
                command.CommandText = "SELECT pg_terminate_backend(@pid, 5000)";
                command.Parameters.Add(new NpgsqlParameter("pid", postgres.ProcessID));
                break;
            case MySqlConnection mysql:
                command.CommandText = $"KILL CONNECTION {mysql.ServerThread:D}";
                break;
            default:
                throw new NotSupportedException($"Cannot kill a {victim.GetType().Name}");
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Option<int>> ExecuteNonQueryAsync(CommandEventData eventData, DbCommand command, Option<int> result, CancellationToken cancellationToken)
    {
        var write = Interlocked.Increment(ref _writes);
        if (_failAt == 0 || write < _failAt || (write > _failAt && !_outage))
            return result;

        Interlocked.Increment(ref _injected);
        switch (_fault)
        {
            case WriteFault.ThrowBefore:
                throw new InjectedFaultException($"fault before write {write}");
            case WriteFault.ThrowAfter:
                await command.ExecuteNonQueryAsync(cancellationToken);
                throw new InjectedFaultException($"fault after write {write}");
            default:
                await KillAsync(command.Connection, cancellationToken);
                //linq2db now runs the statement on the dead session
                return result;
        }
    }

    //the plugin writes asynchronously only
    public Option<int> ExecuteNonQuery(CommandEventData eventData, DbCommand command, Option<int> result) => result;

    public DbCommand CommandInitialized(CommandEventData eventData, DbCommand command) => command;

    public Option<object> ExecuteScalar(CommandEventData eventData, DbCommand command, Option<object> result) => result;

    public Task<Option<object>> ExecuteScalarAsync(CommandEventData eventData, DbCommand command, Option<object> result, CancellationToken cancellationToken) =>
        Task.FromResult(result);

    public Option<DbDataReader> ExecuteReader(CommandEventData eventData, DbCommand command, CommandBehavior commandBehavior, Option<DbDataReader> result) => result;

    public Task<Option<DbDataReader>> ExecuteReaderAsync(CommandEventData eventData, DbCommand command, CommandBehavior commandBehavior,
        Option<DbDataReader> result, CancellationToken cancellationToken) => Task.FromResult(result);

    public void AfterExecuteReader(CommandEventData eventData, DbCommand command, CommandBehavior commandBehavior, DbDataReader dataReader)
    {
    }

    public void BeforeReaderDispose(CommandEventData eventData, DbCommand command, DbDataReader dataReader)
    {
    }

    public Task BeforeReaderDisposeAsync(CommandEventData eventData, DbCommand command, DbDataReader dataReader) => Task.CompletedTask;
}

public class InjectedFaultException : Exception
{
    public InjectedFaultException(string message) : base(message)
    {
    }
}
