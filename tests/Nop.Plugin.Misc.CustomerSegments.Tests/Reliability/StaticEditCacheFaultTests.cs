using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Tests.Membership;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// A hand edit of a static segment that fails part way (a later batch's statement fails after earlier batches
/// were written): the customers whose membership did change must not keep their cached segments, as
/// <see cref="SegmentRebuildService"/> ensures with its finally for the rebuild's writes
/// </summary>
public class StaticEditCacheFaultTests : MembershipTestBase
{
    public StaticEditCacheFaultTests(DatabaseEngine engine) : base(engine)
    {
    }

    [Test]
    public async Task CustomersRemovedBeforeALaterBatchFailsNoLongerCountAsMembers()
    {
        var padding = Enumerable.Range(0, StaticSegmentService.BatchSize + 100).Select(i => new Customer
        {
            CustomerGuid = Guid.NewGuid(),
            Username = $"static-{i}",
            Email = $"static-{i}@example.com",
            Active = true,
            CreatedOnUtc = DateTime.UtcNow.AddDays(-1),
            LastActivityDateUtc = DateTime.UtcNow
        }).ToList();
        await Repository<Customer>().InsertAsync(padding, false);
        var ids = await Repository<Customer>().Table.Where(customer => customer.Username.StartsWith("static-"))
            .OrderBy(customer => customer.Id).Select(customer => customer.Id).ToListAsync();
        var vip = await SegmentAsync("VIP list", null, SegmentType.Static);
        Assert.That(await StaticService.AddCustomersAsync(vip, ids), Is.EqualTo(ids.Count));

        //the first customer shops: his segments are cached, as the discount requirement reads them
        var first = ids[0];
        Assert.That(await new CustomerSegmentIdsReader(MembershipService, new InMemoryShortTermCacheManager(), StaticCache).GetSegmentIdsAsync(first),
            Does.Contain(vip.Id));

        //removing everyone: the first batch's UPDATE is written, the second batch's fails
        var faults = new WriteFaultInterceptor(Database);
        var shop = new TestShop(Database, new TestDataProvider(Database, faults));
        var service = new StaticSegmentService(new EmailCsvParser(), shop.DataProvider, shop.Repository<Customer>(), shop.Repository<SegmentMembership>(),
            CacheInvalidator, ReevaluationService);
        faults.Arm(2);
        Assert.ThrowsAsync<InjectedFaultException>(() => service.RemoveCustomersAsync(vip, ids));
        faults.Arm(0);

        Assert.That(await CurrentMemberIdsAsync(vip.Id), Does.Not.Contain(first), "the first batch was written: he left the segment");
        Assert.That(await new CustomerSegmentIdsReader(MembershipService, new InMemoryShortTermCacheManager(), StaticCache).GetSegmentIdsAsync(first),
            Does.Not.Contain(vip.Id), "the next request still reads the segment he left from the cache: his segment discount goes on");
    }
}
