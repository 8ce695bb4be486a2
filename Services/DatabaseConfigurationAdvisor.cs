using System.Data.Common;
using Nop.Core.Configuration;
using Nop.Data;
using Nop.Data.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Reads the connection settings nopCommerce keeps in App_Data/appsettings.json
/// </summary>
public class DatabaseConfigurationAdvisor : IDatabaseConfigurationAdvisor
{
    /// <summary>
    /// Npgsql's keyword for automatic preparation, as written in its documentation and as its property is named
    /// (Npgsql compares keywords without regard to case)
    /// </summary>
    protected static readonly string[] MaxAutoPrepareKeywords = ["Max Auto Prepare", "MaxAutoPrepare"];

    /// <summary>
    /// MySqlConnector's keywords for XA transactions (compared without regard to case), on unless set to false
    /// </summary>
    protected static readonly string[] UseXaTransactionsKeywords = ["UseXaTransactions", "Use XA Transactions"];

    protected readonly AppSettings _appSettings;

    public DatabaseConfigurationAdvisor(AppSettings appSettings)
    {
        _appSettings = appSettings;
    }

    /// <summary>
    /// Whether Npgsql prepares statements under the connection string: a positive Max Auto Prepare. A string that
    /// cannot be read counts as preparing, so that the page advises nothing it cannot tell.
    /// </summary>
    protected virtual bool PreparesStatements(string connectionString)
    {
        if (Read(connectionString) is not { } builder)
            return true;

        return MaxAutoPrepareKeywords.Any(keyword =>
            builder.TryGetValue(keyword, out var value) && int.TryParse(Convert.ToString(value), out var statements) && statements > 0);
    }

    /// <summary>
    /// Whether MySqlConnector opens XA transactions under the connection string: UseXaTransactions not set to false. A
    /// string that cannot be read counts as without them, so that the page advises nothing it cannot tell.
    /// </summary>
    protected virtual bool UsesXaTransactions(string connectionString)
    {
        if (Read(connectionString) is not { } builder)
            return false;

        return !UseXaTransactionsKeywords.Any(keyword =>
            builder.TryGetValue(keyword, out var value) && Convert.ToString(value)?.Trim().ToLowerInvariant() is "false" or "no" or "0");
    }

    /// <summary>
    /// The connection string's keywords and values; null when it cannot be read
    /// </summary>
    protected static DbConnectionStringBuilder Read(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString ?? string.Empty;
            return builder;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public virtual bool SuggestsPreparedStatements()
    {
        var dataConfig = _appSettings.Get<DataConfig>();

        return dataConfig?.DataProvider == DataProviderType.PostgreSQL && !PreparesStatements(dataConfig.ConnectionString);
    }

    public virtual bool SuggestsPlainTransactions()
    {
        var dataConfig = _appSettings.Get<DataConfig>();

        return dataConfig?.DataProvider == DataProviderType.MySql && UsesXaTransactions(dataConfig.ConnectionString);
    }
}
