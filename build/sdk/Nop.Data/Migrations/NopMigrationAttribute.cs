using FluentMigrator;

namespace Nop.Data.Migrations;

public class NopMigrationAttribute : MigrationAttribute
{
    public NopMigrationAttribute(string dateTime, string description, MigrationProcessType targetMigrationProcess = MigrationProcessType.NoMatter)
        : base(0, description)
    {
        throw new System.NotImplementedException("nopCommerce plugin SDK: reference only");
    }

    public virtual MigrationProcessType TargetMigrationProcess { get; }
}
