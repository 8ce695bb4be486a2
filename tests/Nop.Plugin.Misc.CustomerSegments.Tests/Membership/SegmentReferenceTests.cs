using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The rule "member of segment": what the segments that name another one see of it
/// </summary>
public class SegmentReferenceTests : MembershipTestBase
{
    public SegmentReferenceTests(DatabaseEngine engine) : base(engine)
    {
    }

    [Test]
    public async Task ASegmentIdWrittenWithADecimalPointIsAReferenceForEveryReader()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var named = await SegmentAsync("Named", Json(Company("Acme")));
        //3.0 is a whole number: the validator takes it, the rule reads segment 3
        var naming = await SegmentAsync("Naming", Json(Condition(RuleFields.SegmentMember, RuleOperators.In, named.Id + 0.0m)));
        Assert.That(naming.RuleJson, Does.Contain($"{named.Id}.0"));

        Assert.That((await SegmentService.GetReferencingSegmentsAsync(named.Id)).Select(segment => segment.Id), Is.EqualTo(new[] { naming.Id }));
        Assert.ThrowsAsync<SegmentInUseException>(() => SegmentService.DeleteSegmentAsync(named));

        //rebuilding the named segment brings the naming one along
        await RebuildService.RebuildSegmentAsync(named);
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.EqualTo(new[] { ann.Id }));
    }

    [Test]
    public async Task AnInactiveSegmentHasNoMembersForTheSegmentsThatNameIt()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var picked = await SegmentAsync("Picked", null, SegmentType.Static);
        await StaticService.AddCustomersAsync(picked, [ann.Id]);
        var naming = await SegmentAsync("Naming", Json(MemberOf(picked.Id)));
        var notNaming = await SegmentAsync("Not naming", Json(Condition(RuleFields.SegmentMember, RuleOperators.NotIn, picked.Id)));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(notNaming.Id), Is.Empty);

        //switched off: discounts, the customer's segments and other plugins no longer see its members; nor do the rules
        picked.Active = false;
        await SegmentService.UpdateSegmentAsync(picked);
        await RebuildService.RebuildAllSegmentsAsync();

        Assert.That(await MembershipService.GetSegmentIdsOfCustomerAsync(ann.Id), Is.EqualTo(new[] { notNaming.Id }));
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(notNaming.Id), Is.EqualTo(new[] { ann.Id }));
    }
}
