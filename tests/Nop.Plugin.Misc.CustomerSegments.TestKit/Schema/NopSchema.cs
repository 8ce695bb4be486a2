using Nop.Core;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

/// <summary>
/// Creates nopCommerce's own tables in a test database, from the table listing
/// </summary>
public static class NopSchema
{
    /// <summary>
    /// The tables most of the plugin reads: customers and their roles, addresses, attributes and subscriptions;
    /// orders, items and carts; catalog, stores, countries, discounts and settings
    /// </summary>
    public static readonly IReadOnlyList<string> CommonTables =
    [
        "Customer", "CustomerRole", "Customer_CustomerRole_Mapping", "CustomerAddresses", "Address", "GenericAttribute",
        "CustomerAttribute", "CustomerAttributeValue", "NewsLetterSubscription",
        "Order", "OrderItem", "ShoppingCartItem",
        "Product", "Product_Category_Mapping", "Product_Manufacturer_Mapping", "Category", "Manufacturer",
        "Store", "Country", "StateProvince",
        "Discount", "DiscountRequirement", "Setting", "ScheduleTask", "LocalizedProperty"
    ];

    /// <summary>
    /// Creates the given tables (entity names, entity type names or table names)
    /// </summary>
    public static void CreateTables(TestDatabase database, IEnumerable<string> names)
    {
        var tables = names.Select(NopTableListing.Default.Get).DistinctBy(t => t.TableName).ToList();
        if (tables.Count > 0)
            FluentMigratorHost.Up(database, new NopTablesMigration(tables, database.Engine));
    }

    /// <summary>
    /// Creates the tables of the given entity types
    /// </summary>
    public static void CreateTables(TestDatabase database, params Type[] entityTypes) =>
        CreateTables(database, entityTypes.Select(t => NopTableListing.Default.FindByEntity(t)?.EntityTypeName
            ?? throw new ArgumentException($"{t} is not a nopCommerce entity with a table")));

    public static void CreateTable<TEntity>(TestDatabase database) where TEntity : BaseEntity =>
        CreateTables(database, typeof(TEntity));

    /// <summary>
    /// Creates <see cref="CommonTables"/>
    /// </summary>
    public static void CreateCommonTables(TestDatabase database) => CreateTables(database, CommonTables);

    /// <summary>
    /// Creates every nopCommerce table
    /// </summary>
    public static void CreateAllTables(TestDatabase database) =>
        CreateTables(database, NopTableListing.Default.Tables.Select(t => t.EntityTypeName));
}
