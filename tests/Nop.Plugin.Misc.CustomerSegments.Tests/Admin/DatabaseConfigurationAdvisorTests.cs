using Nop.Core.Configuration;
using Nop.Data;
using Nop.Data.Configuration;
using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

public class DatabaseConfigurationAdvisorTests
{
    private static bool Suggests(DataProviderType provider, string connectionString) =>
        new DatabaseConfigurationAdvisor(new AppSettings([new DataConfig { DataProvider = provider, ConnectionString = connectionString }]))
            .SuggestsPreparedStatements();

    [TestCase("Host=db;Database=shop;Username=nop;Password=secret")]
    [TestCase("Host=db;Database=shop;Username=nop;Password=secret;Max Auto Prepare=0")]
    [TestCase("Host=db;Database=shop;Max Auto Prepare=none")]
    [TestCase("Host=db;Database=shop;Maximum Pool Size=100;Auto Prepare Min Usages=2")]
    [TestCase("")]
    public void PostgreSqlWithoutAutomaticPreparationIsAdvised(string connectionString)
    {
        Assert.That(Suggests(DataProviderType.PostgreSQL, connectionString), Is.True);
    }

    [TestCase("Host=db;Database=shop;Username=nop;Password=secret;Max Auto Prepare=50")]
    [TestCase("host=db;database=shop;max auto prepare=20")]
    [TestCase("Host=db;MaxAutoPrepare=100;Database=shop")]
    [TestCase("Host=db;Database=shop;Password=\"a;Max Auto Prepare=0\";Max Auto Prepare=10")]
    public void PostgreSqlThatPreparesStatementsIsNotAdvised(string connectionString)
    {
        Assert.That(Suggests(DataProviderType.PostgreSQL, connectionString), Is.False);
    }

    [TestCase("Host=db;Database=shop;Password=\"unterminated")]
    [TestCase("Host=db;=shop")]
    public void AConnectionStringThatCannotBeReadIsNotAdvisedOn(string connectionString)
    {
        Assert.That(Suggests(DataProviderType.PostgreSQL, connectionString), Is.False);
    }

    private static bool SuggestsPlainTransactions(DataProviderType provider, string connectionString) =>
        new DatabaseConfigurationAdvisor(new AppSettings([new DataConfig { DataProvider = provider, ConnectionString = connectionString }]))
            .SuggestsPlainTransactions();

    [TestCase("Server=db;Database=shop;Uid=nop;Pwd=secret")]
    [TestCase("Server=db;Database=shop;Uid=nop;Pwd=secret;UseXaTransactions=true")]
    [TestCase("Server=db;Database=shop;Use XA Transactions=yes")]
    [TestCase("Server=db;Database=shop;Pwd=\"a;UseXaTransactions=false\"")]
    [TestCase("")]
    public void MySqlWithXaTransactionsIsAdvised(string connectionString)
    {
        Assert.That(SuggestsPlainTransactions(DataProviderType.MySql, connectionString), Is.True);
    }

    [TestCase("Server=db;Database=shop;AllowUserVariables=True;UseXaTransactions=False;Uid=nop;Pwd=secret")]
    [TestCase("server=db;database=shop;usexatransactions=false")]
    [TestCase("Server=db;Use XA Transactions=No;Database=shop")]
    [TestCase("Server=db;Database=shop;UseXaTransactions=0")]
    public void MySqlWithPlainTransactionsIsNotAdvised(string connectionString)
    {
        Assert.That(SuggestsPlainTransactions(DataProviderType.MySql, connectionString), Is.False);
    }

    [TestCase(DataProviderType.MySql, "Server=db;Database=shop;Pwd=\"unterminated")]
    [TestCase(DataProviderType.PostgreSQL, "Host=db;Database=shop;Username=nop;Password=secret")]
    [TestCase(DataProviderType.SqlServer, "Data Source=db;Initial Catalog=shop;Integrated Security=True")]
    public void PlainTransactionsAreAdvisedOnlyForAReadableMySqlConnectionString(DataProviderType provider, string connectionString)
    {
        Assert.That(SuggestsPlainTransactions(provider, connectionString), Is.False);
    }

    [TestCase(DataProviderType.SqlServer, "Data Source=db;Initial Catalog=shop;Integrated Security=True")]
    [TestCase(DataProviderType.MySql, "Server=db;Database=shop;Uid=nop;Pwd=secret")]
    [TestCase(DataProviderType.Unknown, "Host=db;Database=shop")]
    public void OtherDatabasesAreNotAdvised(DataProviderType provider, string connectionString)
    {
        Assert.That(Suggests(provider, connectionString), Is.False);
    }
}
