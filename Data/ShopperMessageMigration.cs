using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Adds the message a segment's members see about the offers the segment unlocks
/// </summary>
[NopMigration("2026/11/23 09:30:00:0000000", "Misc.CustomerSegments segment shopper message", MigrationProcessType.NoMatter)]
public class ShopperMessageMigration : Migration
{
    public override void Up()
    {
        Alter.Table(CustomerSegmentsDefaults.SegmentTableName)
            .AddColumn(nameof(Segment.ShopperMessage)).AsString(1000).Nullable();
    }

    public override void Down()
    {
        Delete.Column(nameof(Segment.ShopperMessage)).FromTable(CustomerSegmentsDefaults.SegmentTableName);
    }
}
