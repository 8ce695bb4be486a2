using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Adds the queue of customers whose segments the next scheduled rebuild re-evaluates (see
/// <see cref="Services.ISegmentPendingCustomerService"/>)
/// </summary>
[NopMigration("2026/12/06 05:00:00:0000000", "Misc.CustomerSegments customers queued for the scheduled rebuild", MigrationProcessType.NoMatter)]
public class PendingCustomerMigration : Migration
{
    public override void Up()
    {
        if (Schema.Table(CustomerSegmentsDefaults.PendingCustomerTableName).Exists())
            return;

        Create.Table(CustomerSegmentsDefaults.PendingCustomerTableName)
            .WithColumn(nameof(SegmentPendingCustomer.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(SegmentPendingCustomer.CustomerId)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentPendingCustomer.DataSourcesId)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentPendingCustomer.QueuedOnUtc)).AsDateTime2().NotNullable();
    }

    public override void Down()
    {
        if (Schema.Table(CustomerSegmentsDefaults.PendingCustomerTableName).Exists())
            Delete.Table(CustomerSegmentsDefaults.PendingCustomerTableName);
    }
}
