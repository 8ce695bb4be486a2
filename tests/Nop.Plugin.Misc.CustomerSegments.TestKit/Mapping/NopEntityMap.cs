using System.Collections.Concurrent;
using System.Reflection;
using Nop.Core;
using Nop.Data.Mapping;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

/// <summary>
/// A mapped column: the entity property, the database column and its type
/// </summary>
public record NopColumnMap(PropertyInfo Property, string ColumnName, Type ValueType, bool IsNullable, bool IsPrimaryKey, bool IsIdentity);

/// <summary>
/// How an entity maps to its table
/// </summary>
public record NopEntityMapping(Type EntityType, string TableName, IReadOnlyList<NopColumnMap> Columns)
{
    /// <summary>
    /// The identity column (Id), or null for a mapping table keyed by its columns
    /// </summary>
    public NopColumnMap Identity => Columns.SingleOrDefault(c => c.IsIdentity);

    public NopColumnMap Find(string propertyName) => Columns.FirstOrDefault(c => c.Property.Name == propertyName);
}

/// <summary>
/// Maps entities to tables as nopCommerce does. nopCommerce's own entities take their table and column names
/// from the listing (nopCommerce-4.90.3.tables.txt): a property is a column only if the listing has it. Other
/// entities (the plugin's) take their names from the <see cref="INameCompatibility"/> implementations of their
/// assemblies, and every public settable property of a column type (int, long, string, bool, decimal,
/// DateTime, byte[], Guid, or a nullable of one of them) is a column, with the type name as the table name
/// when no name is given. <c>Id</c> is the identity primary key.
/// </summary>
public class NopEntityMap
{
    private static readonly HashSet<Type> _columnTypes =
    [
        typeof(int), typeof(long), typeof(string), typeof(bool), typeof(decimal), typeof(DateTime), typeof(byte[]), typeof(Guid)
    ];

    //the columns whose name is not the property name with its underscores removed
    private static readonly Dictionary<(string Entity, string Property), string> _renamedColumns = new()
    {
        [("DiscountCategoryMapping", "EntityId")] = "Category_Id",
        [("DiscountManufacturerMapping", "EntityId")] = "Manufacturer_Id",
        [("DiscountProductMapping", "EntityId")] = "Product_Id",
        [("VendorAttributeValue", "AttributeId")] = "VendorAttributeId",
        [("CustomerAttributeValue", "AttributeId")] = "CustomerAttributeId",
        [("AddressAttributeValue", "AttributeId")] = "AddressAttributeId",
        [("CheckoutAttributeValue", "AttributeId")] = "CheckoutAttributeId",
    };

    private static readonly Lazy<NopEntityMap> _default = new(() =>
        new NopEntityMap(NopTableListing.Default, [typeof(CustomerSegmentsPlugin).Assembly]));

    private readonly NopTableListing _listing;
    private readonly Dictionary<Type, string> _tableNames = new();
    private readonly Dictionary<(Type, string), string> _columnNames = new();
    private readonly ConcurrentDictionary<Type, NopEntityMapping> _mappings = new();

    /// <param name="listing">nopCommerce's tables</param>
    /// <param name="nameCompatibilityAssemblies">Assemblies whose <see cref="INameCompatibility"/> classes name other entities' tables</param>
    public NopEntityMap(NopTableListing listing, IEnumerable<Assembly> nameCompatibilityAssemblies)
    {
        _listing = listing;

        var compatibilities = nameCompatibilityAssemblies
            .SelectMany(GetLoadableTypes)
            .Where(t => typeof(INameCompatibility).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => (INameCompatibility)Activator.CreateInstance(t));

        foreach (var compatibility in compatibilities)
        {
            foreach (var (type, table) in compatibility.TableNames)
                _tableNames[type] = table;
            foreach (var (key, column) in compatibility.ColumnName)
                _columnNames[key] = column;
        }
    }

    /// <summary>
    /// nopCommerce's tables plus the plugin's entities
    /// </summary>
    public static NopEntityMap Default => _default.Value;

    public NopTableListing Listing => _listing;

    /// <summary>
    /// Entity types named by the name-compatibility classes (the plugin's entities)
    /// </summary>
    public IEnumerable<Type> NamedEntityTypes => _tableNames.Keys;

    public NopEntityMapping Get(Type entityType)
    {
        if (!typeof(BaseEntity).IsAssignableFrom(entityType) || entityType.IsAbstract)
            return null;

        return _mappings.GetOrAdd(entityType, Build);
    }

    public NopEntityMapping Get<TEntity>() where TEntity : BaseEntity => Get(typeof(TEntity));

    private NopEntityMapping Build(Type entityType)
    {
        var properties = entityType
            .GetProperties(BindingFlags.Instance | BindingFlags.Public)
            .Where(p => p.CanWrite && p.SetMethod?.IsPublic == true && p.GetIndexParameters().Length == 0)
            .GroupBy(p => p.Name)
            .Select(g => g.First())
            .ToList();

        var nopTable = _listing.FindByEntity(entityType);
        var columns = new List<NopColumnMap>();

        if (nopTable != null)
        {
            foreach (var property in properties)
            {
                var column = FindListedColumn(nopTable, property.Name);
                if (column == null || column.IsKey && !nopTable.HasIdentity)
                    continue;

                var (valueType, _) = Unwrap(property.PropertyType);
                var primaryKey = column.IsKey || nopTable.CompositeKey?.Contains(column.Name) == true;
                columns.Add(new NopColumnMap(property, column.Name, valueType, column.IsNullable && !primaryKey, primaryKey, column.IsKey));
            }

            return new NopEntityMapping(entityType, nopTable.TableName, Ordered(columns));
        }

        foreach (var property in properties)
        {
            var (valueType, nullable) = Unwrap(property.PropertyType);
            if (!_columnTypes.Contains(valueType))
                continue;

            var isKey = property.Name == nameof(BaseEntity.Id);
            var name = _columnNames.TryGetValue((entityType, property.Name), out var renamed) ? renamed : property.Name;
            columns.Add(new NopColumnMap(property, name, valueType,
                !isKey && (nullable || valueType == typeof(string) || valueType == typeof(byte[])), isKey, isKey));
        }

        var tableName = _tableNames.TryGetValue(entityType, out var table) ? table : entityType.Name;

        return new NopEntityMapping(entityType, tableName, Ordered(columns));
    }

    private static IReadOnlyList<NopColumnMap> Ordered(List<NopColumnMap> columns) =>
        columns.OrderBy(c => c.IsPrimaryKey ? 0 : 1).ToList();

    private static NopColumn FindListedColumn(NopTable table, string propertyName)
    {
        if (_renamedColumns.TryGetValue((table.EntityName, propertyName), out var renamed))
            return table.Columns.FirstOrDefault(c => c.Name == renamed);

        return table.Columns.FirstOrDefault(c => string.Equals(c.Name, propertyName, StringComparison.OrdinalIgnoreCase))
            ?? table.Columns.FirstOrDefault(c => c.Name.Contains('_') && c.Name.Replace("_", string.Empty) == propertyName);
    }

    private static (Type Type, bool Nullable) Unwrap(Type type) =>
        Nullable.GetUnderlyingType(type) is { } underlying ? (underlying, true) : (type, false);

    private static IEnumerable<Type> GetLoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.Where(t => t != null);
        }
    }
}
