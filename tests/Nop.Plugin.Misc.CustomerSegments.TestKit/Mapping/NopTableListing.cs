namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

/// <summary>
/// One column of a nopCommerce table, as listed in nopCommerce-4.90.3.tables.txt
/// </summary>
/// <param name="Name">Column name</param>
/// <param name="ClrType">The property type as printed in the listing: int, int?, string, System.DateTime, ...</param>
public record NopColumn(string Name, string ClrType)
{
    public bool IsKey => Name == "Id";

    public string BaseType => ClrType.TrimEnd('?');

    /// <summary>
    /// Nullable as nopCommerce creates it: Nullable&lt;T&gt; properties, strings and byte arrays
    /// </summary>
    public bool IsNullable => ClrType.EndsWith('?') || BaseType is "string" or "byte[]";
}

/// <summary>
/// A nopCommerce entity and its table
/// </summary>
public record NopTable(string EntityTypeName, string TableName, IReadOnlyList<NopColumn> Columns)
{
    public string EntityName => EntityTypeName[(EntityTypeName.LastIndexOf('.') + 1)..];
}

/// <summary>
/// nopCommerce's entity/table/column listing (shared/nop-api/nopCommerce-4.90.3.tables.txt)
/// </summary>
public class NopTableListing
{
    private static readonly Lazy<NopTableListing> _default = new(() => Load(NopApiFiles.TablesFile));

    private readonly Dictionary<string, NopTable> _byEntity;
    private readonly Dictionary<string, NopTable> _byTable;

    public NopTableListing(IEnumerable<NopTable> tables)
    {
        Tables = tables.ToList();
        _byEntity = Tables.ToDictionary(t => t.EntityTypeName, StringComparer.Ordinal);
        _byTable = Tables.ToDictionary(t => t.TableName, StringComparer.OrdinalIgnoreCase);
    }

    public static NopTableListing Default => _default.Value;

    public IReadOnlyList<NopTable> Tables { get; }

    public static NopTableListing Load(string path)
    {
        var tables = File.ReadLines(path)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => line.Split('\t'))
            .Select(fields => fields.Length == 4
                ? fields
                : throw new FormatException($"{path}: expected 4 tab-separated fields: {string.Join('\t', fields)}"))
            .GroupBy(fields => (Entity: fields[0], Table: fields[1]))
            .Select(group => new NopTable(group.Key.Entity, group.Key.Table,
                //the key first, then the columns in listing order
                group.Select(f => new NopColumn(f[2], f[3])).OrderBy(c => c.IsKey ? 0 : 1).ToList()));

        return new NopTableListing(tables);
    }

    public NopTable FindByEntity(Type entityType) =>
        entityType.FullName is { } name && _byEntity.TryGetValue(name, out var table) ? table : null;

    public NopTable FindByEntity(string entityTypeName) =>
        _byEntity.TryGetValue(entityTypeName, out var table) ? table : null;

    /// <summary>
    /// Finds an entity by its full type name, its class name or its table name
    /// </summary>
    public NopTable Find(string name) =>
        FindByEntity(name)
        ?? Tables.FirstOrDefault(t => t.EntityName == name)
        ?? (_byTable.TryGetValue(name, out var table) ? table : null);

    public NopTable Get(string name) =>
        Find(name) ?? throw new ArgumentException($"'{name}' is not a nopCommerce entity or table in {NopApiFiles.TablesFileName}");
}
