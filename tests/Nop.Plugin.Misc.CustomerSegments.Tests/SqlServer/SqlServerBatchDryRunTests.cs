using Moq;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Tests.Admin;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.SqlServer;

/// <summary>
/// The services' largest batches of customer ids, run on SQLite and built again for SQL Server: the ids go into the
/// SQL as lists of literals, so no statement comes near SQL Server's 2,100 parameters
/// </summary>
[TestFixture]
public class SqlServerBatchDryRunTests : SqlServerDryRunFixture
{
    private void AssertBuiltForSqlServer(string what, string listedIdPattern)
    {
        Assert.That(_dryRun.Failures.Select(failure => failure.Exception.Message), Is.Empty, what);
        Assert.That(_dryRun.Statements.Select(statement => statement.ParameterCount), Is.All.LessThan(SqlServerDryRun.MaxParameters), what);
        Assert.That(_dryRun.Statements.Select(statement => statement.Sql), Has.Some.Contains(listedIdPattern), $"{what}: the batch's ids are in the SQL");
    }

    [Test]
    public async Task TheMembershipWritesOfAWholeBatchBuildForSqlServer()
    {
        var segment = await new AdminTestData(_shop).SegmentAsync("Batch");
        var synchronizer = new SegmentMembershipSynchronizer(_shop.DataProvider, _shop.Repository<Customer>(), _shop.Repository<SegmentMembership>());
        var members = new CustomerIdSet();
        foreach (var id in Enumerable.Range(1, SegmentMembershipSynchronizer.WriteBatchSize))
            members.Add(id);

        await synchronizer.SynchronizeAsync(segment.Id, members, _now);

        var last = SegmentMembershipSynchronizer.WriteBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AssertBuiltForSqlServer("joiners", $", {last})");
    }

    [Test]
    public async Task TheStatisticsRefreshOfManyCustomersBuildsForSqlServer()
    {
        var settings = new CustomerSegmentsSettings();
        var statistics = _shop.NewOrderStatisticsService(settings, new Mock<Nop.Services.Configuration.ISettingService>().Object);
        var ids = Enumerable.Range(1, 3 * CustomerOrderStatisticsService.CustomerBatchSize).ToList();

        await statistics.RefreshCustomersAsync(ids, _now);
        await _shop.NewDailyPurchasesService(settings).RefreshCustomersAsync(ids);
        await _shop.NewPurchasedProductService(settings).RefreshCustomersAsync(ids);

        var last = CustomerOrderStatisticsService.CustomerBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AssertBuiltForSqlServer("statistics refresh", $", {last})");
    }
}
