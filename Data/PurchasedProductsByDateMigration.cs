using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Indexes the products bought per customer by their date: an order event looks for the customer's rows dated by the
/// order (see CustomerPurchasedProductService.RefreshOrderAsync), which without it reads every row of the customer,
/// thousands for a shop's heaviest buyers
/// </summary>
[NopMigration("2026/12/06 02:30:00:0000000", "Misc.CustomerSegments products bought per customer by date", MigrationProcessType.NoMatter)]
public class PurchasedProductsByDateMigration : Migration
{
    public const string IndexName = "IX_CustomerSegmentPurchasedProduct_Customer_LastPurchased";

    public override void Up()
    {
        if (Schema.Table(CustomerSegmentsDefaults.PurchasedProductsTableName).Index(IndexName).Exists())
            return;

        Create.Index(IndexName)
            .OnTable(CustomerSegmentsDefaults.PurchasedProductsTableName)
            .OnColumn(nameof(CustomerPurchasedProduct.CustomerId)).Ascending()
            .OnColumn(nameof(CustomerPurchasedProduct.LastPurchasedOnUtc)).Ascending();
    }

    public override void Down()
    {
        if (Schema.Table(CustomerSegmentsDefaults.PurchasedProductsTableName).Index(IndexName).Exists())
            Delete.Index(IndexName).OnTable(CustomerSegmentsDefaults.PurchasedProductsTableName);
    }
}
