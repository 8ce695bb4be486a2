using FluentMigrator;
using FluentMigrator.Builders.Create.Table;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

/// <summary>
/// Creates nopCommerce tables with all their columns, typed as nopCommerce types them: int, bigint,
/// string (unlimited, nullable), bool, decimal(18,4), datetime with microseconds, binary, guid;
/// Nullable&lt;T&gt; columns nullable; Id the identity primary key, except for the mapping tables nopCommerce keys
/// by their two columns
/// </summary>
public class NopTablesMigration : Migration
{
    private readonly IReadOnlyList<NopTable> _tables;
    private readonly DatabaseEngine _engine;
    private readonly bool _withIndexes;

    /// <param name="tables">The tables to create</param>
    /// <param name="engine">Database engine</param>
    /// <param name="withIndexes">Whether to create nopCommerce's indexes on them (<see cref="NopIndexes"/>)</param>
    public NopTablesMigration(IEnumerable<NopTable> tables, DatabaseEngine engine, bool withIndexes = true)
    {
        _tables = tables.ToList();
        _engine = engine;
        _withIndexes = withIndexes;
    }

    public override void Up()
    {
        foreach (var table in _tables)
        {
            var create = (ICreateTableWithColumnSyntax)Create.Table(table.TableName);
            if (table.HasIdentity)
                create = create.WithColumn("Id").AsInt32().NotNullable().PrimaryKey().Identity();

            foreach (var column in table.Columns.Where(c => !c.IsKey))
            {
                var typed = Type(create.WithColumn(column.Name), column);
                if (table.CompositeKey?.Contains(column.Name) == true)
                    create = typed.NotNullable().PrimaryKey();
                else
                    create = column.IsNullable ? typed.Nullable() : typed.NotNullable();
            }

            if (_withIndexes)
                CreateIndexes(table);
        }
    }

    private void CreateIndexes(NopTable table)
    {
        foreach (var index in NopIndexes.For(table.TableName))
        {
            var columns = index.Columns.Select(name => table.Columns.FirstOrDefault(c => c.Name == name)
                ?? throw new InvalidOperationException($"Index {index.Name}: {table.TableName} has no column {name}")).ToList();

            //nopCommerce gives indexed string columns a length (VARCHAR(n)); here they are unlimited, which MySQL cannot index
            if (_engine == DatabaseEngine.MySql && columns.Any(c => c.BaseType == "string"))
                continue;

            var create = Create.Index(index.Name).OnTable(table.TableName);
            if (index.Unique)
                create.WithOptions().Unique();

            foreach (var column in columns)
                create.OnColumn(column.Name).Ascending();
        }
    }

    public override void Down()
    {
        foreach (var table in _tables.Reverse())
            Delete.Table(table.TableName);
    }

    private ICreateTableColumnOptionOrWithColumnSyntax Type(ICreateTableColumnAsTypeSyntax column, NopColumn definition) =>
        definition.BaseType switch
        {
            "int" => column.AsInt32(),
            "long" => column.AsInt64(),
            //e-mail addresses compare without regard to capitals as in nopCommerce's databases (citext on PostgreSQL,
            //a case-insensitive collation on MySQL): SQLite's NOCASE stands in
            "string" when definition.Name == "Email" && _engine == DatabaseEngine.PostgreSql => column.AsCustom("citext"),
            "string" when definition.Name == "Email" && _engine == DatabaseEngine.Sqlite => column.AsCustom("TEXT COLLATE NOCASE"),
            "string" => column.AsString(int.MaxValue),
            "bool" => column.AsBoolean(),
            "decimal" => column.AsDecimal(18, 4),
            "System.DateTime" => _engine == DatabaseEngine.MySql ? column.AsCustom("datetime(6)") : column.AsDateTime2(),
            "byte[]" => column.AsBinary(int.MaxValue),
            "System.Guid" => column.AsGuid(),
            _ => throw new NotSupportedException($"{definition.Name}: column type {definition.ClrType} is not one nopCommerce maps")
        };
}
