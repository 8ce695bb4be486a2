using System.Data;
using FluentMigrator.Runner.Generators.MySql;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;

/// <summary>
/// FluentMigrator's MySQL 5 types with text columns in the database's character set and collation, as
/// nopCommerce registers its own type map for MySQL (FluentMigrator alone makes them "CHARACTER SET utf8",
/// which is utf8mb3 and refuses 4-byte characters). Length-limited strings stay NVARCHAR(n) as in nopCommerce.
/// </summary>
public class NopMySqlTypeMap : MySql5TypeMap
{
    public const string CharacterSet = "utf8mb4";

    public const string Collation = "utf8mb4_unicode_ci";

    protected override void SetupMySqlTypeMaps()
    {
        base.SetupMySqlTypeMaps();

        const string encoding = $"CHARACTER SET {CharacterSet} COLLATE {Collation}";
        foreach (var type in new[] { DbType.StringFixedLength, DbType.String })
        {
            SetTypeMap(type, $"TEXT {encoding}", TextCapacity);
            SetTypeMap(type, $"MEDIUMTEXT {encoding}", MediumTextCapacity);
            SetTypeMap(type, $"LONGTEXT {encoding}", LongTextCapacity);
        }
    }
}
