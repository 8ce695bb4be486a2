using System.Data;
using System.Data.Common;
using System.Linq.Expressions;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider;
using LinqToDB.DataProvider.SqlServer;
using LinqToDB.Interceptors;
using LinqToDB.Mapping;
using Microsoft.Data.SqlClient;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.SqlServer;

/// <summary>
/// A statement linq2db wrote for SQL Server, with the number of parameters it sent
/// </summary>
public record SqlServerStatement(string Sql, int ParameterCount);

/// <summary>
/// A query linq2db could not write for SQL Server
/// </summary>
public record SqlServerTranslationFailure(string Expression, Exception Exception);

/// <summary>
/// Builds every linq2db query of the connections it intercepts (on the engine the test runs on) a second time for SQL
/// Server, as nopCommerce's SQL Server provider configures linq2db (2012 dialect, Microsoft.Data.SqlClient), over a
/// connection that records each command with its parameters and never reaches a server: its readers have no rows.
/// The query itself goes on to run on the test's engine unchanged.
/// </summary>
public sealed class SqlServerDryRun : IQueryExpressionInterceptor
{
    /// <summary>
    /// nopCommerce's MsSqlNopDataProvider
    /// </summary>
    public static readonly IDataProvider Provider = SqlServerTools.GetDataProvider(SqlServerVersion.v2012, SqlServerProvider.MicrosoftDataSqlClient);

    /// <summary>
    /// SQL Server's limit of parameters per request
    /// </summary>
    public const int MaxParameters = 2100;

    private static readonly MappingSchema _mappingSchema = CreateMappingSchema();

    private static readonly System.Reflection.MethodInfo _execute = typeof(IQueryProvider).GetMethods()
        .Single(method => method.Name == nameof(IQueryProvider.Execute) && method.IsGenericMethod);

    private readonly object _lock = new();
    private readonly List<SqlServerStatement> _statements = [];
    private readonly List<SqlServerTranslationFailure> _failures = [];
    private readonly DataOptions _options;

    public SqlServerDryRun()
    {
        _options = new DataOptions()
            .UseConnectionFactory(Provider, _ => new RecordingConnection(this))
            .UseMappingSchema(_mappingSchema);
    }

    public IReadOnlyList<SqlServerStatement> Statements
    {
        get
        {
            lock (_lock)
                return _statements.ToList();
        }
    }

    public IReadOnlyList<SqlServerTranslationFailure> Failures
    {
        get
        {
            lock (_lock)
                return _failures.ToList();
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _statements.Clear();
            _failures.Clear();
        }
    }

    /// <summary>
    /// A linq2db connection over the recording connection, for queries built by hand
    /// </summary>
    public DataConnection CreateDataConnection() => new(_options);

    private static MappingSchema CreateMappingSchema()
    {
        var schema = new MappingSchema($"{Provider.Name}.nop", Provider.MappingSchema);
        schema.AddMetadataReader(new NopMetadataReader(NopEntityMap.Default));
        return schema;
    }

    private void Record(DbCommand command)
    {
        lock (_lock)
            _statements.Add(new SqlServerStatement(command.CommandText, command.Parameters.Count));
    }

    public Expression ProcessExpression(Expression expression, QueryExpressionArgs args)
    {
        Build(expression);
        return expression;
    }

    /// <summary>
    /// Builds and "runs" the query for SQL Server; a failure to write its SQL is recorded
    /// </summary>
    public void Build(Expression expression)
    {
        var recorded = Statements.Count;
        using var dataConnection = CreateDataConnection();
        try
        {
            var retargeted = new TableRetargeter(dataConnection).Visit(expression)!;
            var provider = (IQueryProvider)dataConnection.GetTable<Nop.Core.Domain.Customers.Customer>();
            if (typeof(IQueryable).IsAssignableFrom(retargeted.Type))
            {
                foreach (var _ in provider.CreateQuery(retargeted))
                {
                }
            }
            else
            {
                //a single value (First, Count...) is read by the query of its source's rows, with the generic Execute:
                //the table's own query would map it as that table's entity
                if (retargeted is MethodCallExpression { Arguments.Count: > 0 } call && typeof(IQueryable).IsAssignableFrom(call.Arguments[0].Type))
                    provider = provider.CreateQuery(call.Arguments[0]).Provider;
                _execute.MakeGenericMethod(retargeted.Type).Invoke(provider, [retargeted]);
            }
        }
        catch (Exception caught)
        {
            var exception = caught is System.Reflection.TargetInvocationException { InnerException: not null } invocation ? invocation.InnerException : caught;
            //the recording readers have no rows: reading a single value fails once the command was written
            if (Statements.Count == recorded)
            {
                lock (_lock)
                    _failures.Add(new SqlServerTranslationFailure(expression.ToString(), exception));
            }
        }
    }

    /// <summary>
    /// Points the tables of the test's connections (an INSERT's target table, a subquery's table) at the SQL Server one
    /// </summary>
    private sealed class TableRetargeter(IDataContext target) : ExpressionVisitor
    {
        protected override Expression VisitConstant(ConstantExpression node)
        {
            var tableType = node.Value?.GetType().GetInterfaces()
                .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITable<>));
            if (tableType == null)
                return base.VisitConstant(node);

            var getTable = typeof(DataExtensions).GetMethods()
                .Single(m => m.Name == nameof(DataExtensions.GetTable) && m.IsGenericMethod && m.GetParameters().Length == 1)
                .MakeGenericMethod(tableType.GetGenericArguments()[0]);
            return Expression.Constant(getTable.Invoke(null, [target]), node.Type);
        }
    }

    private sealed class RecordingConnection(SqlServerDryRun dryRun) : DbConnection
    {
        public override string ConnectionString { get; set; } = string.Empty;

        public override string Database => "dry_run";

        public override string DataSource => "dry_run";

        //SQL Server 2016
        public override string ServerVersion => "13.00.0000";

        public override ConnectionState State => ConnectionState.Open;

        public override void ChangeDatabase(string databaseName)
        {
        }

        public override void Close()
        {
        }

        public override void Open()
        {
        }

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => throw new NotSupportedException();

        protected override DbCommand CreateDbCommand() => new RecordingCommand(dryRun, this);
    }

    /// <summary>
    /// A command whose parameters are SqlClient's own (linq2db sets their SqlDbType), executed by recording it
    /// </summary>
    private sealed class RecordingCommand(SqlServerDryRun dryRun, DbConnection connection) : DbCommand
    {
        private readonly SqlCommand _parameters = new();
        private DbConnection _connection = connection;

        public override string CommandText { get; set; } = string.Empty;

        public override int CommandTimeout { get; set; }

        public override CommandType CommandType { get; set; }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection DbConnection
        {
            get => _connection;
            set => _connection = value;
        }

        protected override DbParameterCollection DbParameterCollection => _parameters.Parameters;

        protected override DbTransaction DbTransaction { get; set; }

        public override void Cancel()
        {
        }

        public override void Prepare()
        {
        }

        protected override DbParameter CreateDbParameter() => new SqlParameter();

        public override int ExecuteNonQuery()
        {
            dryRun.Record(this);
            return 0;
        }

        public override object ExecuteScalar()
        {
            dryRun.Record(this);
            return null;
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            dryRun.Record(this);
            return new DataTable().CreateDataReader();
        }
    }
}
