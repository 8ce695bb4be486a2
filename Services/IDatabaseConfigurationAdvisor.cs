namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// What the shop's database settings mean for the plugin's speed, for the admin's settings page
/// </summary>
public interface IDatabaseConfigurationAdvisor
{
    /// <summary>
    /// Whether the shop runs on PostgreSQL with a connection string under which Npgsql prepares no statement, so
    /// that PostgreSQL plans every statement again at every execution: the largest share of its work on an order
    /// event (see docs/order-event-performance.md)
    /// </summary>
    bool SuggestsPreparedStatements();
}
