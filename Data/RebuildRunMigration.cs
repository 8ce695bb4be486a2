using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Adds the table where background rebuilds record their progress
/// </summary>
[NopMigration("2026/11/23 11:10:00:0000000", "Misc.CustomerSegments rebuild runs", MigrationProcessType.NoMatter)]
public class RebuildRunMigration : Migration
{
    public override void Up()
    {
        Create.Table(CustomerSegmentsDefaults.RebuildRunTableName)
            .WithColumn(nameof(SegmentRebuildRun.Id)).AsInt32().PrimaryKey().Identity()
            .WithColumn(nameof(SegmentRebuildRun.SegmentId)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.StateId)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.StepsDone)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.StepsTotal)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.Entered)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.Left)).AsInt32().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.ErrorResource)).AsString(200).Nullable()
            .WithColumn(nameof(SegmentRebuildRun.CreatedOnUtc)).AsDateTime2().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.UpdatedOnUtc)).AsDateTime2().NotNullable()
            .WithColumn(nameof(SegmentRebuildRun.FinishedOnUtc)).AsDateTime2().Nullable();

        Create.Index("IX_CustomerSegmentRebuildRun_Segment")
            .OnTable(CustomerSegmentsDefaults.RebuildRunTableName)
            .OnColumn(nameof(SegmentRebuildRun.SegmentId)).Ascending()
            .OnColumn(nameof(SegmentRebuildRun.Id)).Descending();
    }

    public override void Down()
    {
        Delete.Table(CustomerSegmentsDefaults.RebuildRunTableName);
    }
}
