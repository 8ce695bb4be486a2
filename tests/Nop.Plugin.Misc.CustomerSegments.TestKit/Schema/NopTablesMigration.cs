using FluentMigrator;
using FluentMigrator.Builders.Create.Table;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

/// <summary>
/// Creates nopCommerce tables with all their columns, typed as nopCommerce types them: int, bigint,
/// string (unlimited, nullable), bool, decimal(18,4), datetime with microseconds, binary, guid;
/// Nullable&lt;T&gt; columns nullable; Id the identity primary key
/// </summary>
public class NopTablesMigration : Migration
{
    private readonly IReadOnlyList<NopTable> _tables;
    private readonly DatabaseEngine _engine;

    public NopTablesMigration(IEnumerable<NopTable> tables, DatabaseEngine engine)
    {
        _tables = tables.ToList();
        _engine = engine;
    }

    public override void Up()
    {
        foreach (var table in _tables)
        {
            var create = Create.Table(table.TableName)
                .WithColumn("Id").AsInt32().NotNullable().PrimaryKey().Identity();

            foreach (var column in table.Columns.Where(c => !c.IsKey))
            {
                var typed = Type(create.WithColumn(column.Name), column);
                create = column.IsNullable ? typed.Nullable() : typed.NotNullable();
            }
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
            "string" => column.AsString(int.MaxValue),
            "bool" => column.AsBoolean(),
            "decimal" => column.AsDecimal(18, 4),
            "System.DateTime" => _engine == DatabaseEngine.MySql ? column.AsCustom("datetime(6)") : column.AsDateTime2(),
            "byte[]" => column.AsBinary(int.MaxValue),
            "System.Guid" => column.AsGuid(),
            _ => throw new NotSupportedException($"{definition.Name}: column type {definition.ClrType} is not one nopCommerce maps")
        };
}
