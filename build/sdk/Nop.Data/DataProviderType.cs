namespace Nop.Data;

public enum DataProviderType
{
    Unknown = 0,
    SqlServer = 1,
    MySql = 2,
    PostgreSQL = 3
}
