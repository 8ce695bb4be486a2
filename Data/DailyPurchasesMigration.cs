using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Adds the purchases per customer, store and day that rules on the purchases of a period read. The table starts
/// empty: the order statistics' settings key names the table's version too, so the statistics read as not current
/// and the next rebuild fills both.
/// </summary>
[NopMigration("2026/11/23 21:40:00:0000000", "Misc.CustomerSegments purchases per customer and day", MigrationProcessType.NoMatter)]
public class DailyPurchasesMigration : Migration
{
    public override void Up()
    {
        Create.Table(CustomerSegmentsDefaults.DailyPurchasesTableName)
            .WithColumn(nameof(CustomerDailyPurchases.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(CustomerDailyPurchases.CustomerId)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerDailyPurchases.StoreId)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerDailyPurchases.Day)).AsDateTime2().NotNullable()
            .WithColumn(nameof(CustomerDailyPurchases.OrderCount)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerDailyPurchases.TotalSpent)).AsDecimal(18, 4).NotNullable();

        //one row per customer, store and day: the refresh of one customer reads and writes his rows
        Create.Index("IX_CustomerSegmentDailyPurchases_Customer_Store_Day")
            .OnTable(CustomerSegmentsDefaults.DailyPurchasesTableName)
            .OnColumn(nameof(CustomerDailyPurchases.CustomerId)).Ascending()
            .OnColumn(nameof(CustomerDailyPurchases.StoreId)).Ascending()
            .OnColumn(nameof(CustomerDailyPurchases.Day)).Ascending()
            .WithOptions().Unique();

        //the days of a period: a range of the index holding every column the rules read (covering on every engine,
        //where INCLUDE is not portable)
        Create.Index("IX_CustomerSegmentDailyPurchases_Day")
            .OnTable(CustomerSegmentsDefaults.DailyPurchasesTableName)
            .OnColumn(nameof(CustomerDailyPurchases.Day)).Ascending()
            .OnColumn(nameof(CustomerDailyPurchases.CustomerId)).Ascending()
            .OnColumn(nameof(CustomerDailyPurchases.StoreId)).Ascending()
            .OnColumn(nameof(CustomerDailyPurchases.OrderCount)).Ascending()
            .OnColumn(nameof(CustomerDailyPurchases.TotalSpent)).Ascending();
    }

    public override void Down()
    {
        Delete.Table(CustomerSegmentsDefaults.DailyPurchasesTableName);
    }
}
