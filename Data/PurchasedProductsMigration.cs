using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Adds the products bought per customer and store that rules on bought products, categories and manufacturers read.
/// The table starts empty: the order statistics' settings key names the table's version too, so the statistics read
/// as not current and the next rebuild fills both.
/// </summary>
[NopMigration("2026/11/23 21:50:00:0000000", "Misc.CustomerSegments products bought per customer", MigrationProcessType.NoMatter)]
public class PurchasedProductsMigration : Migration
{
    public override void Up()
    {
        Create.Table(CustomerSegmentsDefaults.PurchasedProductsTableName)
            .WithColumn(nameof(CustomerPurchasedProduct.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(CustomerPurchasedProduct.CustomerId)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerPurchasedProduct.StoreId)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerPurchasedProduct.ProductId)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerPurchasedProduct.LastPurchasedOnUtc)).AsDateTime2().NotNullable();

        //one row per customer, store and product: the refresh of one customer reads and writes his rows
        Create.Index("IX_CustomerSegmentPurchasedProduct_Customer_Store_Product")
            .OnTable(CustomerSegmentsDefaults.PurchasedProductsTableName)
            .OnColumn(nameof(CustomerPurchasedProduct.CustomerId)).Ascending()
            .OnColumn(nameof(CustomerPurchasedProduct.StoreId)).Ascending()
            .OnColumn(nameof(CustomerPurchasedProduct.ProductId)).Ascending()
            .WithOptions().Unique();

        //the buyers of some products: a range of the index per product holding every column the rules read (covering
        //on every engine, where INCLUDE is not portable)
        Create.Index("IX_CustomerSegmentPurchasedProduct_Product")
            .OnTable(CustomerSegmentsDefaults.PurchasedProductsTableName)
            .OnColumn(nameof(CustomerPurchasedProduct.ProductId)).Ascending()
            .OnColumn(nameof(CustomerPurchasedProduct.CustomerId)).Ascending()
            .OnColumn(nameof(CustomerPurchasedProduct.StoreId)).Ascending()
            .OnColumn(nameof(CustomerPurchasedProduct.LastPurchasedOnUtc)).Ascending();
    }

    public override void Down()
    {
        Delete.Table(CustomerSegmentsDefaults.PurchasedProductsTableName);
    }
}
