namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// The database engines the plugin is tested on
/// </summary>
public enum DatabaseEngine
{
    /// <summary>
    /// SQLite through Microsoft.Data.Sqlite: embedded, always available
    /// </summary>
    Sqlite,

    /// <summary>
    /// PostgreSQL through Npgsql
    /// </summary>
    PostgreSql,

    /// <summary>
    /// MySQL / MariaDB through MySqlConnector
    /// </summary>
    MySql
}
