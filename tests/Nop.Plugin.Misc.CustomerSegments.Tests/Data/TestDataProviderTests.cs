using LinqToDB;
using LinqToDB.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Data;

public class TestDataProviderTests : DatabaseTestBase
{
    public TestDataProviderTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public async Task ClearAsync() => await DataProvider.TruncateAsync<SegmentMembership>(resetIdentity: true);

    [Test]
    public void GetTableIsALinq2dbTable()
    {
        Assert.That(DataProvider.GetTable<SegmentMembership>(), Is.InstanceOf<ITable<SegmentMembership>>());
    }

    [Test]
    public async Task SetBasedWritesRunThroughTheTable()
    {
        var entered = new DateTime(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        await DataProvider.BulkInsertEntitiesAsync(Enumerable.Range(1, 10)
            .Select(i => new SegmentMembership { SegmentId = 1, CustomerId = i, EnteredOnUtc = entered }));

        var left = entered.AddDays(1);
        var updated = await DataProvider.GetTable<SegmentMembership>()
            .Where(m => m.CustomerId > 6)
            .Set(m => m.LeftOnUtc, left)
            .UpdateAsync();

        var copied = await DataProvider.GetTable<SegmentMembership>()
            .Where(m => m.LeftOnUtc == null)
            .InsertAsync((ITable<SegmentMembership>)DataProvider.GetTable<SegmentMembership>(),
                m => new SegmentMembership { SegmentId = 2, CustomerId = m.CustomerId, EnteredOnUtc = left });

        Assert.That(updated, Is.EqualTo(4));
        Assert.That(copied, Is.EqualTo(6));
        Assert.That(await DataProvider.GetTable<SegmentMembership>().CountAsync(m => m.SegmentId == 2), Is.EqualTo(6));
    }

    [Test]
    public async Task RawSqlTakesParameters()
    {
        var table = Quote(CustomerSegmentsDefaults.MembershipTableName);
        await DataProvider.InsertEntityAsync(new SegmentMembership { SegmentId = 3, CustomerId = 30, EnteredOnUtc = DateTime.UtcNow });
        await DataProvider.InsertEntityAsync(new SegmentMembership { SegmentId = 3, CustomerId = 31, EnteredOnUtc = DateTime.UtcNow });

        var affected = await DataProvider.ExecuteNonQueryAsync($"DELETE FROM {table} WHERE {Quote("CustomerId")} = @customerId",
            new DataParameter("customerId", 30));
        var remaining = await DataProvider.QueryAsync<int>($"SELECT {Quote("CustomerId")} FROM {table} WHERE {Quote("SegmentId")} = @segmentId",
            new DataParameter("segmentId", 3));

        Assert.That(affected, Is.EqualTo(1));
        Assert.That(remaining, Is.EqualTo(new[] { 31 }));
    }

    [Test]
    public async Task TableIdentCanBeMovedForward()
    {
        await DataProvider.InsertEntityAsync(new SegmentMembership { SegmentId = 1, CustomerId = 1, EnteredOnUtc = DateTime.UtcNow });

        await DataProvider.SetTableIdentAsync<SegmentMembership>(500);
        var entity = await DataProvider.InsertEntityAsync(new SegmentMembership { SegmentId = 1, CustomerId = 2, EnteredOnUtc = DateTime.UtcNow });

        Assert.That(entity.Id, Is.EqualTo(500));
        Assert.That(await DataProvider.GetTableIdentAsync<SegmentMembership>(), Is.EqualTo(501));
    }

    private string Quote(string name) => Engine == DatabaseEngine.MySql ? $"`{name}`" : $"\"{name}\"";
}
