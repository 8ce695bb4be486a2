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
/// <param name="EntityTypeName">Full name of the entity class</param>
/// <param name="TableName">Table name</param>
/// <param name="Columns">The columns of the listing, the Id key first</param>
/// <param name="CompositeKey">For a mapping table keyed by its two columns: those columns; null for tables keyed by an identity Id</param>
public record NopTable(string EntityTypeName, string TableName, IReadOnlyList<NopColumn> Columns, IReadOnlyList<string> CompositeKey = null)
{
    public string EntityName => EntityTypeName[(EntityTypeName.LastIndexOf('.') + 1)..];

    /// <summary>
    /// Whether the table has the Id identity column (all but the mapping tables with a composite key)
    /// </summary>
    public bool HasIdentity => CompositeKey == null;

    /// <summary>
    /// The columns the table really has: a mapping table with a composite key has no Id column
    /// </summary>
    public IReadOnlyList<NopColumn> StoredColumns => HasIdentity ? Columns : Columns.Where(c => !c.IsKey).ToList();
}

/// <summary>
/// nopCommerce's entity/table/column listing (shared/nop-api/nopCommerce-4.90.3.tables.txt)
/// </summary>
public class NopTableListing
{
    //the listing gives every entity an Id, but nopCommerce's builders key these mapping tables by their two
    //columns, and then the table has no Id column (nor does its linq2db mapping)
    private static readonly Dictionary<string, string[]> _compositeKeys = new()
    {
        ["Customer_CustomerRole_Mapping"] = ["Customer_Id", "CustomerRole_Id"],
        ["CustomerAddresses"] = ["Address_Id", "Customer_Id"],
        ["PermissionRecord_Role_Mapping"] = ["PermissionRecord_Id", "CustomerRole_Id"],
        ["Product_ProductTag_Mapping"] = ["Product_Id", "ProductTag_Id"],
        ["Discount_AppliedToCategories"] = ["Discount_Id", "Category_Id"],
        ["Discount_AppliedToManufacturers"] = ["Discount_Id", "Manufacturer_Id"],
        ["Discount_AppliedToProducts"] = ["Discount_Id", "Product_Id"],
        ["ShippingMethodRestrictions"] = ["ShippingMethod_Id", "Country_Id"]
    };

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
                group.Select(f => new NopColumn(f[2], f[3])).OrderBy(c => c.IsKey ? 0 : 1).ToList(),
                _compositeKeys.GetValueOrDefault(group.Key.Table)));

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
