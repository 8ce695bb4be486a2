using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The active segments of both types in the static cache (read by the discount requirement and the shopper widget), over a
/// real database: whatever <see cref="SegmentService"/> saves or deletes is read at the next call
/// </summary>
public class ActiveSegmentsCacheTests : MembershipTestBase
{
    public ActiveSegmentsCacheTests(DatabaseEngine engine) : base(engine)
    {
    }

    private bool Cached => StaticCache.Entries.ContainsKey(CustomerSegmentsCacheDefaults.ActiveSegmentsCacheKey.Key);

    private async Task<string[]> ActiveNamesAsync() =>
        (await new ActiveSegmentReader(Repository<Segment>(), StaticCache).GetActiveSegmentsAsync()).Select(segment => $"{segment.Name}:{segment.ShopperMessage}").ToArray();

    [Test]
    public async Task SegmentsAddedEditedDeactivatedAndDeletedShowAtTheNextRead()
    {
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var vips = await SegmentAsync("VIP", null, SegmentType.Static);
        await SegmentAsync("Off", Json(OrdersAtLeast(1)), active: false);

        Assert.That(await ActiveNamesAsync(), Is.EqualTo(new[] { "Buyers:", "VIP:" }), "both types, active only");
        Assert.That(Cached, Is.True);

        var regulars = await SegmentAsync("Regulars", Json(OrdersAtLeast(2)));
        Assert.That(Cached, Is.False, "inserting a segment drops the cache");
        Assert.That(await ActiveNamesAsync(), Is.EqualTo(new[] { "Buyers:", "VIP:", "Regulars:" }), "inserted");

        vips.ShopperMessage = "5% off";
        await SegmentService.UpdateSegmentAsync(vips);
        Assert.That(await ActiveNamesAsync(), Is.EqualTo(new[] { "Buyers:", "VIP:5% off", "Regulars:" }), "edited");

        buyers.Active = false;
        await SegmentService.UpdateSegmentAsync(buyers);
        Assert.That(await ActiveNamesAsync(), Is.EqualTo(new[] { "VIP:5% off", "Regulars:" }), "deactivated");

        await SegmentService.DeleteSegmentAsync(regulars);
        Assert.That(await ActiveNamesAsync(), Is.EqualTo(new[] { "VIP:5% off" }), "deleted");
    }
}
