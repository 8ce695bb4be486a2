using System.Data;
using FluentMigrator;
using FluentMigrator.Expressions;
using FluentMigrator.Infrastructure;
using FluentMigrator.Model;
using FluentMigrator.Runner.Generators.SqlServer;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.SqlServer;

/// <summary>
/// The plugin's migrations as nopCommerce runs them on SQL Server (FluentMigrator's SQL Server 2016 generator, which
/// nopCommerce's AddSqlServer registers), on a fresh install and back, without a server: the expressions of each
/// migration, in version order, against a model of the schema that answers the migrations' existence checks
/// </summary>
[TestFixture]
public class SqlServerMigrationDdlTests
{
    //SQL Server's limits: index keys (bytes), identifiers (characters)
    private const int MaxNonclusteredKeyBytes = 1700;
    private const int MaxClusteredKeyBytes = 900;
    private const int MaxIdentifierLength = 128;

    /// <summary>
    /// nopCommerce's tables a migration of the plugin may touch
    /// </summary>
    private static readonly string[] _nopTables = ["Customer", "Order", "OrderItem"];

    private static readonly string[] _pluginTables =
    [
        CustomerSegmentsDefaults.SegmentTableName, CustomerSegmentsDefaults.MembershipTableName, CustomerSegmentsDefaults.LeaseTableName,
        CustomerSegmentsDefaults.RebuildRunTableName, CustomerSegmentsDefaults.OrderStatisticsTableName, CustomerSegmentsDefaults.DailyPurchasesTableName,
        CustomerSegmentsDefaults.PurchasedProductsTableName, CustomerSegmentsDefaults.PendingCustomerTableName
    ];

    private static IReadOnlyList<PluginMigration> Migrations =>
        PluginMigrationRunner.FindMigrations(typeof(CustomerSegmentsPlugin).Assembly)
            .Where(migration => migration.TargetMigrationProcess is MigrationProcessType.Installation or MigrationProcessType.NoMatter or MigrationProcessType.Update)
            .ToList();

    /// <summary>
    /// The SQL of each expression of the migrations, applied to the schema model
    /// </summary>
    private static List<(Type Migration, IMigrationExpression Expression, string Sql)> Run(SchemaModel schema, bool up)
    {
        var generator = new SqlServer2016Generator();
        var statements = new List<(Type, IMigrationExpression, string)>();
        foreach (var migration in up ? Migrations : Migrations.Reverse())
        {
            var instance = (IMigration)Activator.CreateInstance(migration.Type)!;
            var context = new MigrationContext(schema, serviceProvider: null, connection: null);
            if (up)
                instance.GetUpExpressions(context);
            else
                instance.GetDownExpressions(context);

            //Alter.Table(...) alone changes nothing: its columns follow as expressions of their own
            foreach (var expression in context.Expressions.Where(expression => expression is not AlterTableExpression))
            {
                string sql = ((dynamic)generator).Generate((dynamic)expression);
                schema.Apply(expression);
                statements.Add((migration.Type, expression, sql));
            }
        }

        return statements;
    }

    private static SchemaModel FreshShop() => new(_nopTables);

    [Test]
    public void EveryStatementIsWrittenForSqlServer()
    {
        var statements = Run(FreshShop(), up: true);

        Assert.That(statements, Is.Not.Empty);
        foreach (var (migration, expression, sql) in statements)
        {
            Assert.That(sql, Is.Not.Null.And.Not.Empty, $"{migration.Name}: {expression}");
            //FluentMigrator writes what a generator cannot do as a comment, or throws
            Assert.That(sql.TrimStart(), Does.Not.StartWith("--").And.Not.StartWith("/*"), $"{migration.Name}: {sql}");
        }
    }

    [Test]
    public void UpCreatesEveryTableOfThePlugin()
    {
        var schema = FreshShop();
        Run(schema, up: true);

        Assert.That(schema.Tables.Keys, Is.SupersetOf(_pluginTables));
    }

    [Test]
    public void TheMigrationsNeedNoConnectionBeyondNopCommercesOwnExistenceChecks()
    {
        var schema = FreshShop();
        Run(schema, up: true);
        Run(schema, up: false);

        //Schema...Exists() runs a query on the processor's connection: nopCommerce runs migrations with one; a
        //preview (connectionless) run answers them false
        Assert.That(schema.Questions, Is.All.Matches<string>(question => question.StartsWith("table ") || question.StartsWith("index ")));
    }

    [Test]
    public void DateTimesAreDateTime2AndMoneyIsDecimal18Comma4()
    {
        var columns = Run(FreshShop(), up: true)
            .SelectMany(statement => statement.Expression switch
            {
                CreateTableExpression table => table.Columns.Select(column => (Table: table.TableName, Column: column, statement.Sql)),
                CreateColumnExpression column => [(Table: column.TableName, Column: column.Column, statement.Sql)],
                _ => []
            })
            .ToList();

        Assert.That(columns, Is.Not.Empty);
        foreach (var (table, column, sql) in columns)
        {
            Assert.That(column.Type, Is.Not.EqualTo(DbType.DateTime).And.Not.EqualTo(DbType.Date), $"{table}.{column.Name}: DATETIME2, as nopCommerce");
            if (column.Type == DbType.Decimal)
                Assert.That((column.Size, column.Precision), Is.EqualTo((18, 4)), $"{table}.{column.Name}: decimal(18,4), as nopCommerce's money");
        }

        var allSql = string.Join("\n", columns.Select(c => c.Sql).Distinct());
        Assert.That(allSql, Does.Contain("DATETIME2").And.Contain("DECIMAL(18,4)"));
        Assert.That(allSql, Does.Not.Match(@"\bDATETIME\b(?!2)"));
    }

    [Test]
    public void EveryTableHasAnIdentityPrimaryKey()
    {
        var tables = Run(FreshShop(), up: true).Where(statement => statement.Expression is CreateTableExpression).ToList();

        Assert.That(tables.Select(table => ((CreateTableExpression)table.Expression).TableName), Is.EquivalentTo(_pluginTables));
        foreach (var (_, expression, sql) in tables)
        {
            Assert.That(sql, Does.Contain("([Id] INT NOT NULL IDENTITY(1,1), "), ((CreateTableExpression)expression).TableName);
            Assert.That(sql, Does.EndWith(", PRIMARY KEY ([Id]));"), ((CreateTableExpression)expression).TableName);
        }
    }

    [Test]
    public void IndexKeysAreWithinSqlServersLimitsAndHaveNoMaxColumn()
    {
        var schema = FreshShop();
        var indexes = Run(schema, up: true).Select(statement => statement.Expression).OfType<CreateIndexExpression>().Select(expression => expression.Index).ToList();
        //the primary keys are the Id columns (see EveryTableHasAnIdentityPrimaryKey), clustered
        var primaryKeys = schema.Tables.Keys.Where(table => _pluginTables.Contains(table)).Select(table => (Table: table, Columns: new[] { "Id" }, Clustered: true));

        Assert.That(indexes, Is.Not.Empty);
        var keys = indexes.Select(index => (Table: index.TableName, Columns: index.Columns.Select(column => column.Name).ToArray(), Clustered: index.IsClustered))
            .Concat(primaryKeys);
        foreach (var (table, columnNames, clustered) in keys)
        {
            var columns = columnNames.Select(name => schema.Column(table, name)).ToList();
            Assert.That(columns.Where(SchemaModel.IsMax).Select(column => column.Name), Is.Empty, $"{table}: no (MAX) column in an index key");
            Assert.That(columns.Sum(SchemaModel.KeyBytes), Is.LessThanOrEqualTo(clustered ? MaxClusteredKeyBytes : MaxNonclusteredKeyBytes),
                $"{table} ({string.Join(", ", columnNames)}): key size");
        }
    }

    [Test]
    public void NamesFitSqlServersIdentifiers()
    {
        var schema = FreshShop();
        var statements = Run(schema, up: true);
        var names = schema.Tables.Keys
            .Concat(schema.Tables.SelectMany(table => table.Value.Select(column => column.Name)))
            .Concat(schema.Indexes.Select(index => index.Index))
            .Concat(schema.Tables.Keys.Select(table => $"PK_{table}"))
            .ToList();

        Assert.That(names, Is.Not.Empty);
        Assert.That(names.Where(name => name.Length > MaxIdentifierLength), Is.Empty);
        Assert.That(statements.Select(statement => statement.Sql), Has.None.Contains("[]"));
    }

    [Test]
    public void DownRemovesWhatUpCreated()
    {
        var schema = FreshShop();
        Run(schema, up: true);
        var down = Run(schema, up: false);

        Assert.That(down, Is.Not.Empty);
        Assert.That(schema.Tables.Keys, Is.EquivalentTo(_nopTables));
        Assert.That(schema.Indexes.Where(index => _nopTables.Contains(index.Table)), Is.Empty);
    }

    /// <summary>
    /// A SQL Server database's tables, columns and indexes, as the migrations' expressions leave them; answers the
    /// migrations' Schema...Exists() questions and records them
    /// </summary>
    private sealed class SchemaModel : IQuerySchema
    {
        public SchemaModel(IEnumerable<string> tables)
        {
            foreach (var table in tables)
                Tables[table] = [];
        }

        public Dictionary<string, List<ColumnDefinition>> Tables { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<(string Table, string Index)> Indexes { get; } = [];

        public List<string> Questions { get; } = [];

        public string DatabaseType => "SqlServer2016";

        public IList<string> DatabaseTypeAliases { get; } = ["SqlServer"];

        public ColumnDefinition Column(string table, string name) =>
            Tables[table].SingleOrDefault(column => column.Name == name) ?? throw new InvalidOperationException($"No column {table}.{name}");

        public static bool IsMax(ColumnDefinition column) =>
            column.Type is DbType.String or DbType.AnsiString or DbType.Binary && (column.Size ?? int.MaxValue) > 4000;

        public static int KeyBytes(ColumnDefinition column) => column.Type switch
        {
            DbType.Int32 => 4,
            DbType.Int64 or DbType.DateTime2 or DbType.DateTime => 8,
            DbType.Int16 => 2,
            DbType.Boolean or DbType.Byte => 1,
            DbType.Guid => 16,
            DbType.Decimal => column.Precision is <= 9 ? 5 : column.Precision is <= 19 ? 9 : column.Precision is <= 28 ? 13 : 17,
            DbType.String => 2 * (column.Size ?? 4000),
            DbType.AnsiString => column.Size ?? 8000,
            _ => throw new NotSupportedException($"{column.Name}: {column.Type}")
        };

        public void Apply(IMigrationExpression expression)
        {
            switch (expression)
            {
                case CreateTableExpression table:
                    Tables.Add(table.TableName, table.Columns.ToList());
                    break;
                case DeleteTableExpression table:
                    Assert.That(Tables.Remove(table.TableName), $"DROP TABLE {table.TableName}: the table exists");
                    Indexes.RemoveWhere(index => index.Table == table.TableName);
                    break;
                case CreateColumnExpression column:
                    Tables[column.TableName].Add(column.Column);
                    break;
                case DeleteColumnExpression column:
                    foreach (var name in column.ColumnNames)
                        Assert.That(Tables[column.TableName].RemoveAll(c => c.Name == name), Is.EqualTo(1), $"DROP COLUMN {column.TableName}.{name}");
                    break;
                case AlterColumnExpression column:
                    Assert.That(Tables[column.TableName].RemoveAll(c => c.Name == column.Column.Name), Is.EqualTo(1), $"ALTER COLUMN {column.TableName}.{column.Column.Name}");
                    Tables[column.TableName].Add(column.Column);
                    break;
                case CreateIndexExpression index:
                    foreach (var column in index.Index.Columns)
                        Column(index.Index.TableName, column.Name);
                    Assert.That(Indexes.Add((index.Index.TableName, index.Index.Name)), $"CREATE INDEX {index.Index.Name}: a new name");
                    break;
                case DeleteIndexExpression index:
                    Assert.That(Indexes.Remove((index.Index.TableName, index.Index.Name)), $"DROP INDEX {index.Index.Name}: the index exists");
                    break;
                default:
                    Assert.Fail($"The schema model does not know {expression.GetType().Name}: teach it");
                    break;
            }
        }

        public bool TableExists(string schemaName, string tableName)
        {
            Questions.Add($"table {tableName}");
            return Tables.ContainsKey(tableName);
        }

        public bool IndexExists(string schemaName, string tableName, string indexName)
        {
            Questions.Add($"index {tableName}.{indexName}");
            return Indexes.Contains((tableName, indexName));
        }

        public bool SchemaExists(string schemaName) => Ask($"schema {schemaName}");

        public bool ColumnExists(string schemaName, string tableName, string columnName) => Ask($"column {tableName}.{columnName}");

        public bool ConstraintExists(string schemaName, string tableName, string constraintName) => Ask($"constraint {tableName}.{constraintName}");

        public bool SequenceExists(string schemaName, string sequenceName) => Ask($"sequence {sequenceName}");

        public bool DefaultValueExists(string schemaName, string tableName, string columnName, object defaultValue) => Ask($"default {tableName}.{columnName}");

        private bool Ask(string question)
        {
            Questions.Add(question);
            return false;
        }
    }
}
