using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Adds the lease table that keeps the scheduled rebuild to one instance at a time in a web farm
/// </summary>
[NopMigration("2026/11/23 09:10:00:0000000", "Misc.CustomerSegments rebuild lease", MigrationProcessType.NoMatter)]
public class LeaseMigration : Migration
{
    public override void Up()
    {
        Create.Table(CustomerSegmentsDefaults.LeaseTableName)
            .WithColumn(nameof(SegmentLease.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(SegmentLease.Name)).AsString(100).NotNullable().Unique("IX_CustomerSegmentLease_Name")
            .WithColumn(nameof(SegmentLease.Holder)).AsString(100).Nullable()
            .WithColumn(nameof(SegmentLease.ExpiresOnUtc)).AsDateTime2().NotNullable();
    }

    public override void Down()
    {
        Delete.Table(CustomerSegmentsDefaults.LeaseTableName);
    }
}
