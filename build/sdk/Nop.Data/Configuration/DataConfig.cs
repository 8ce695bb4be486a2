using FluentMigrator.Runner.Initialization;
using Nop.Core.Configuration;

namespace Nop.Data.Configuration;

public class DataConfig : IConfig, IConnectionStringAccessor
{
    public string ConnectionString { get; set; } = string.Empty;

    public DataProviderType DataProvider { get; set; } = DataProviderType.SqlServer;

    public string Name => "ConnectionStrings";

    public int GetOrder() => 0;
}
