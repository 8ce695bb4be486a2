using FluentMigrator;
using Nop.Data.Migrations;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// On MySQL/MariaDB, lets segment names and shopper messages hold every character (emoji among them).
/// nopCommerce's MySQL type map puts long text in the database's character set, but a string of limited length
/// gets FluentMigrator's "CHARACTER SET utf8", which stores at most three bytes per character.
/// </summary>
[NopMigration("2026/11/23 19:30:00:0000000", "Misc.CustomerSegments four-byte characters in segment texts on MySQL", MigrationProcessType.NoMatter)]
public class SegmentTextCharacterSetMigration : Migration
{
    private const string FourByteCharacterSet = "CHARACTER SET utf8mb4";

    public override void Up()
    {
        IfDatabase("MySql").Alter.Table(CustomerSegmentsDefaults.SegmentTableName)
            .AlterColumn(nameof(Segment.Name)).AsCustom($"VARCHAR(400) {FourByteCharacterSet}").NotNullable()
            .AlterColumn(nameof(Segment.ShopperMessage)).AsCustom($"VARCHAR(1000) {FourByteCharacterSet}").Nullable();
    }

    public override void Down()
    {
        //the wider character set holds whatever the narrower one did: nothing to undo
    }
}
