using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Adds the per-customer order statistics that rules on order behaviour and RFM read. The table starts empty:
/// the plugin sees that it was never filled for the current settings and fills it at the first rebuild.
/// </summary>
[NopMigration("2026/11/23 11:00:00:0000000", "Misc.CustomerSegments order statistics", MigrationProcessType.NoMatter)]
public class OrderStatisticsMigration : Migration
{
    public override void Up()
    {
        Create.Table(CustomerSegmentsDefaults.OrderStatisticsTableName)
            .WithColumn(nameof(CustomerOrderStatistics.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(CustomerOrderStatistics.CustomerId)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.StoreId)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.OrderCount)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.TotalSpent)).AsDecimal(18, 4).NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.FirstOrderOnUtc)).AsDateTime2().Nullable()
            .WithColumn(nameof(CustomerOrderStatistics.LastOrderOnUtc)).AsDateTime2().Nullable()
            .WithColumn(nameof(CustomerOrderStatistics.RefundedOrderCount)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.CancelledOrderCount)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.RfmOrderCount)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.RfmTotalSpent)).AsDecimal(18, 4).NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.RecencyScore)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.FrequencyScore)).AsInt32().NotNullable()
            .WithColumn(nameof(CustomerOrderStatistics.MonetaryScore)).AsInt32().NotNullable();

        //one row per customer and store: the lookups of a customer, and the semi-joins of the rule queries
        Create.Index("IX_CustomerSegmentOrderStatistics_Customer_Store")
            .OnTable(CustomerSegmentsDefaults.OrderStatisticsTableName)
            .OnColumn(nameof(CustomerOrderStatistics.CustomerId)).Ascending()
            .OnColumn(nameof(CustomerOrderStatistics.StoreId)).Ascending()
            .WithOptions().Unique();

        //the rows of one store (rule queries scan a store's rows)
        Create.Index("IX_CustomerSegmentOrderStatistics_Store")
            .OnTable(CustomerSegmentsDefaults.OrderStatisticsTableName)
            .OnColumn(nameof(CustomerOrderStatistics.StoreId)).Ascending()
            .OnColumn(nameof(CustomerOrderStatistics.CustomerId)).Ascending();
    }

    public override void Down()
    {
        Delete.Table(CustomerSegmentsDefaults.OrderStatisticsTableName);
    }
}
