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

    /// <summary>
    /// Whether the shop runs on MySQL or MariaDB with a connection string that leaves MySqlConnector's XA transactions
    /// on (nopCommerce 4.90 writes UseXaTransactions=false): every transaction then runs at the server's isolation
    /// level (REPEATABLE READ) whatever it asks for, and a full recompute of the order figures share-locks the orders
    /// it reads until it commits, so that the shop's new orders wait for it
    /// </summary>
    bool SuggestsPlainTransactions();
}
