using LinqToDB.Data;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

/// <summary>
/// A column as the database's catalog describes it
/// </summary>
public record DbColumnInfo(string Name, string DataType, bool IsNullable);

/// <summary>
/// A secondary index (not the primary key) and its columns in key order
/// </summary>
public record DbIndexInfo(string Name, IReadOnlyList<string> Columns);

/// <summary>
/// Reads tables, columns and indexes from the database's own catalog (sqlite_master and pragmas,
/// information_schema and pg_index), to check what migrations really created
/// </summary>
public class DatabaseCatalog
{
    private readonly TestDatabase _database;

    public DatabaseCatalog(TestDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
    }

    public async Task<IReadOnlyList<string>> GetTablesAsync()
    {
        var sql = _database.Engine switch
        {
            DatabaseEngine.Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            DatabaseEngine.PostgreSql => "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            _ => "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
        };

        using var dataConnection = _database.CreateDataConnection();
        return (await dataConnection.QueryToListAsync<string>(sql)).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    public async Task<bool> TableExistsAsync(string table) => (await GetTablesAsync()).Contains(table);

    public async Task<IReadOnlyList<DbColumnInfo>> GetColumnsAsync(string table)
    {
        using var dataConnection = _database.CreateDataConnection();
        var parameter = new DataParameter("table", table);

        var rows = _database.Engine switch
        {
            DatabaseEngine.Sqlite => await dataConnection.QueryToListAsync<ColumnRow>(
                "SELECT name AS Name, type AS DataType, CASE WHEN \"notnull\" = 0 AND pk = 0 THEN 1 ELSE 0 END AS Nullable FROM pragma_table_info(@table) ORDER BY cid",
                parameter),
            DatabaseEngine.PostgreSql => await dataConnection.QueryToListAsync<ColumnRow>(
                "SELECT column_name AS \"Name\", data_type AS \"DataType\", CASE WHEN is_nullable = 'YES' THEN 1 ELSE 0 END AS \"Nullable\" FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @table ORDER BY ordinal_position",
                parameter),
            _ => await dataConnection.QueryToListAsync<ColumnRow>(
                "SELECT COLUMN_NAME AS Name, COLUMN_TYPE AS DataType, CASE WHEN IS_NULLABLE = 'YES' THEN 1 ELSE 0 END AS Nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table ORDER BY ORDINAL_POSITION",
                parameter)
        };

        return rows.Select(r => new DbColumnInfo(r.Name, r.DataType, r.Nullable != 0)).ToList();
    }

    public async Task<IReadOnlyList<DbIndexInfo>> GetIndexesAsync(string table)
    {
        using var dataConnection = _database.CreateDataConnection();
        var parameter = new DataParameter("table", table);

        var rows = _database.Engine switch
        {
            DatabaseEngine.Sqlite => await dataConnection.QueryToListAsync<IndexRow>(
                "SELECT il.name AS IndexName, ii.name AS ColumnName, ii.seqno AS Position FROM pragma_index_list(@table) il JOIN pragma_index_info(il.name) ii WHERE il.origin = 'c'",
                parameter),
            DatabaseEngine.PostgreSql => await dataConnection.QueryToListAsync<IndexRow>(
                """
                SELECT i.relname AS "IndexName", a.attname AS "ColumnName", CAST(k.ord AS integer) AS "Position"
                FROM pg_class t
                JOIN pg_index ix ON ix.indrelid = t.oid
                JOIN pg_class i ON i.oid = ix.indexrelid
                CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                WHERE t.relname = @table AND t.relnamespace = 'public'::regnamespace AND NOT ix.indisprimary
                """,
                parameter),
            _ => await dataConnection.QueryToListAsync<IndexRow>(
                "SELECT INDEX_NAME AS IndexName, COLUMN_NAME AS ColumnName, SEQ_IN_INDEX AS Position FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table AND INDEX_NAME <> 'PRIMARY'",
                parameter)
        };

        return rows
            .GroupBy(r => r.IndexName)
            .Select(g => new DbIndexInfo(g.Key, g.OrderBy(r => r.Position).Select(r => r.ColumnName).ToList()))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .ToList();
    }

    private class ColumnRow
    {
        public string Name { get; set; }
        public string DataType { get; set; }
        public int Nullable { get; set; }
    }

    private class IndexRow
    {
        public string IndexName { get; set; }
        public string ColumnName { get; set; }
        public int Position { get; set; }
    }
}
