using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Creates the plugin's tables: segment definitions and membership history
/// </summary>
[NopMigration("2026/11/23 08:00:00:0000000", "Misc.CustomerSegments base schema", MigrationProcessType.Installation)]
public class SchemaMigration : Migration
{
    public override void Up()
    {
        Create.Table(CustomerSegmentsDefaults.SegmentTableName)
            .WithColumn(nameof(Segment.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(Segment.Name)).AsString(400).NotNullable()
            .WithColumn(nameof(Segment.Description)).AsString(int.MaxValue).Nullable()
            .WithColumn(nameof(Segment.SegmentTypeId)).AsInt32().NotNullable()
            .WithColumn(nameof(Segment.RuleJson)).AsString(int.MaxValue).Nullable()
            .WithColumn(nameof(Segment.RuleSchemaVersion)).AsInt32().NotNullable()
            .WithColumn(nameof(Segment.Active)).AsBoolean().NotNullable()
            .WithColumn(nameof(Segment.StoreId)).AsInt32().NotNullable()
            .WithColumn(nameof(Segment.CreatedOnUtc)).AsDateTime2().NotNullable()
            .WithColumn(nameof(Segment.UpdatedOnUtc)).AsDateTime2().NotNullable()
            .WithColumn(nameof(Segment.LastRebuiltOnUtc)).AsDateTime2().Nullable();

        Create.Table(CustomerSegmentsDefaults.MembershipTableName)
            .WithColumn(nameof(SegmentMembership.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(SegmentMembership.SegmentId)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentMembership.CustomerId)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentMembership.EnteredOnUtc)).AsDateTime2().NotNullable()
            .WithColumn(nameof(SegmentMembership.LeftOnUtc)).AsDateTime2().Nullable();

        //the segments of a customer, and the members of a segment; current rows are those with no LeftOnUtc
        Create.Index("IX_CustomerSegmentMembership_Customer")
            .OnTable(CustomerSegmentsDefaults.MembershipTableName)
            .OnColumn(nameof(SegmentMembership.CustomerId)).Ascending()
            .OnColumn(nameof(SegmentMembership.LeftOnUtc)).Ascending()
            .OnColumn(nameof(SegmentMembership.SegmentId)).Ascending();

        Create.Index("IX_CustomerSegmentMembership_Segment")
            .OnTable(CustomerSegmentsDefaults.MembershipTableName)
            .OnColumn(nameof(SegmentMembership.SegmentId)).Ascending()
            .OnColumn(nameof(SegmentMembership.LeftOnUtc)).Ascending()
            .OnColumn(nameof(SegmentMembership.CustomerId)).Ascending();
    }

    public override void Down()
    {
        Delete.Table(CustomerSegmentsDefaults.MembershipTableName);
        Delete.Table(CustomerSegmentsDefaults.SegmentTableName);
    }
}
