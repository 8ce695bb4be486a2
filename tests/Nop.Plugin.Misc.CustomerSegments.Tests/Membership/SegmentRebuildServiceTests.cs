using Moq;
using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

public class SegmentRebuildServiceTests : MembershipTestBase
{
    public SegmentRebuildServiceTests(DatabaseEngine engine) : base(engine)
    {
    }

    private async Task SetCompanyAsync(Customer customer, string company)
    {
        customer.Company = company;
        await Repository<Customer>().UpdateAsync(customer);
    }

    [Test]
    public async Task CustomersEnterLeaveAndComeBackWithANewRow()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var cid = await CustomerAsync("cid@example.com", "Other");
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));

        var first = await RebuildService.RebuildSegmentAsync(segment);
        Assert.That(first, Is.EqualTo(new SegmentRebuildResult(segment.Id, 2, 0)));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));

        await SetCompanyAsync(bob, "Other");
        var second = await RebuildService.RebuildSegmentAsync(segment);
        Assert.That(second, Is.EqualTo(new SegmentRebuildResult(segment.Id, 0, 1)));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        await SetCompanyAsync(bob, "Acme");
        await SetCompanyAsync(cid, "Acme");
        var third = await RebuildService.RebuildSegmentAsync(segment);
        Assert.That(third, Is.EqualTo(new SegmentRebuildResult(segment.Id, 2, 0)));

        var bobRows = (await RowsAsync(segment.Id)).Where(row => row.CustomerId == bob.Id).ToList();
        Assert.That(bobRows, Has.Count.EqualTo(2));
        Assert.That(bobRows[0].LeftOnUtc, Is.Not.Null);
        Assert.That(bobRows[1].LeftOnUtc, Is.Null);
        Assert.That(bobRows[1].EnteredOnUtc, Is.GreaterThanOrEqualTo(bobRows[0].LeftOnUtc!.Value.AddSeconds(-1)));

        var history = await MembershipService.GetHistoryOfCustomerAsync(bob.Id);
        Assert.That(history, Has.Count.EqualTo(2));
        Assert.That(await MembershipService.CountMembersAsync(segment.Id), Is.EqualTo(3));
    }

    [Test]
    public async Task ARebuildWithNothingChangedTouchesNoRow()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildSegmentAsync(segment);
        var before = await RowsAsync(segment.Id);

        var again = await RebuildService.RebuildSegmentAsync(segment);

        Assert.That(again, Is.EqualTo(new SegmentRebuildResult(segment.Id, 0, 0)));
        var after = await RowsAsync(segment.Id);
        Assert.That(after.Select(row => (row.Id, row.CustomerId, row.EnteredOnUtc, row.LeftOnUtc)),
            Is.EqualTo(before.Select(row => (row.Id, row.CustomerId, row.EnteredOnUtc, row.LeftOnUtc))));

        await SetCompanyAsync(ann, null);
        await RebuildService.RebuildSegmentAsync(segment);
        var changed = await RowsAsync(segment.Id);
        Assert.That(changed.Single(row => row.CustomerId == bob.Id).LeftOnUtc, Is.Null, "bob still matches: his row is untouched");
        Assert.That(changed.Single(row => row.CustomerId == bob.Id).EnteredOnUtc, Is.EqualTo(before.Single(row => row.CustomerId == bob.Id).EnteredOnUtc));
        Assert.That(changed, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task RebuildSetsLastRebuiltOnUtcAndKeepsOtherSegmentsAsTheyAre()
    {
        await CustomerAsync("ann@example.com", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var other = await SegmentAsync("Other", Json(Company("Acme")));

        await RebuildService.RebuildSegmentAsync(acme);

        var reloaded = await SegmentService.GetSegmentByIdAsync(acme.Id);
        Assert.That(reloaded.LastRebuiltOnUtc, Is.Not.Null);
        Assert.That(reloaded.LastRebuiltOnUtc!.Value, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That((await SegmentService.GetSegmentByIdAsync(other.Id)).LastRebuiltOnUtc, Is.Null);
        Assert.That(await CurrentMemberIdsAsync(other.Id), Is.Empty);
    }

    [Test]
    public async Task AnInvalidStoredRuleIsRefusedAndChangesNothing()
    {
        await CustomerAsync("ann@example.com", "Acme");
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildSegmentAsync(segment);

        //stored behind the service's back (e.g. an older version of the plugin)
        segment.RuleJson = Json(Condition("no.such.field", Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators.Equal, 1));
        await Repository<Segment>().UpdateAsync(segment);

        var exception = Assert.ThrowsAsync<SegmentRuleValidationException>(() => RebuildService.RebuildSegmentAsync(segment));
        Assert.That(exception!.Errors, Has.Count.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(1));

        //and a full rebuild logs it and goes on with the other segments
        var other = await SegmentAsync("Other", Json(Company("Acme")));
        var results = await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(results.Select(result => result.SegmentId), Is.EqualTo(new[] { other.Id }));
        Logger.Verify(logger => logger.WarningAsync(It.Is<string>(message => message.Contains("Acme")), It.IsAny<Exception>(), null), Times.Once);
    }

    [Test]
    public async Task ReevaluatingCustomersTouchesOnlyThoseCustomers()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildSegmentAsync(segment);

        await SetCompanyAsync(ann, null);
        await SetCompanyAsync(bob, null);
        var cid = await CustomerAsync("cid@example.com", "Acme");

        var results = await ReevaluationService.ReevaluateCustomersAsync([ann.Id, cid.Id], RuleDataSources.Customer);

        Assert.That(results, Is.EqualTo(new[] { new SegmentRebuildResult(segment.Id, 1, 1) }));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { bob.Id, cid.Id }.Order()),
            "bob no longer matches but was not re-evaluated");
    }

    [Test]
    public async Task ReevaluatingCustomersSkipsSegmentsThatDoNotReadTheChangedData()
    {
        var ann = await CustomerAsync("ann@example.com");
        var orders = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var subscribers = await SegmentAsync("Subscribers", Json(Subscribed()));
        await OrderAsync(ann.Id);
        await Repository<NewsLetterSubscription>().InsertAsync(new NewsLetterSubscription
        {
            Email = ann.Email, Active = true, NewsLetterSubscriptionGuid = Guid.NewGuid(), CreatedOnUtc = DateTime.UtcNow
        });

        Queries.BuildCount = 0;
        var results = await ReevaluationService.ReevaluateCustomersAsync([ann.Id], RuleDataSources.Newsletter);

        Assert.That(Queries.BuildCount, Is.EqualTo(1));
        Assert.That(results.Select(result => result.SegmentId), Is.EqualTo(new[] { subscribers.Id }));
        Assert.That(await CurrentMemberIdsAsync(subscribers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(orders.Id), Is.Empty);
    }

    [Test]
    public async Task SegmentsThatReferenceOthersAreEvaluatedAfterThem()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        //created first, so that id order would evaluate it before the segment it references
        var dependent = await SegmentAsync("In Acme", Json(Company("placeholder")));
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        dependent.RuleJson = Json(MemberOf(acme.Id));
        await SegmentService.UpdateSegmentAsync(dependent);

        var results = await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(results.Select(result => result.SegmentId), Is.EqualTo(new[] { acme.Id, dependent.Id }));
        Assert.That(await CurrentMemberIdsAsync(dependent.Id), Is.EqualTo(new[] { ann.Id }));

        //a change to data only the referenced segment reads reaches the dependent segment in the same call
        await SetCompanyAsync(ann, "Other");
        await ReevaluationService.ReevaluateCustomersAsync([ann.Id], RuleDataSources.Customer);
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(dependent.Id), Is.Empty);

        //and rebuilding the referenced segment rebuilds the dependent one
        await SetCompanyAsync(ann, "Acme");
        await RebuildService.RebuildSegmentAsync(acme);
        Assert.That(await CurrentMemberIdsAsync(dependent.Id), Is.EqualTo(new[] { ann.Id }));
    }

    [Test]
    public async Task TheTimeBasedRebuildRefreshesOnlyTimeDependentSegmentsAndTheirDependents()
    {
        var old = await CustomerAsync("old@example.com", "Acme", DateTime.UtcNow.AddDays(-100));
        await CustomerAsync("new@example.com", "Acme", DateTime.UtcNow.AddDays(-5));
        var loyal = await SegmentAsync("Loyal", Json(RegisteredMoreThanDaysAgo(30)));
        var loyalDependent = await SegmentAsync("In loyal", Json(MemberOf(loyal.Id)));
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var inactive = await SegmentAsync("Inactive loyal", Json(RegisteredMoreThanDaysAgo(30)), active: false);

        var results = await RebuildService.RebuildTimeDependentSegmentsAsync();

        Assert.That(results.Select(result => result.SegmentId), Is.EqualTo(new[] { loyal.Id, loyalDependent.Id }));
        Assert.That(await CurrentMemberIdsAsync(loyal.Id), Is.EqualTo(new[] { old.Id }));
        Assert.That(await CurrentMemberIdsAsync(loyalDependent.Id), Is.EqualTo(new[] { old.Id }));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(inactive.Id), Is.Empty);
    }

    [Test]
    public async Task ARebuildInterruptedBetweenItsStatementsIsCompletedByTheNextOne()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildSegmentAsync(segment);
        await SetCompanyAsync(ann, null);
        var cid = await CustomerAsync("cid@example.com", "Acme");

        //the state after the UPDATE of a rebuild and before its INSERT: ann has left, cid has not entered yet
        var nowUtc = DateTime.UtcNow;
        await Repository<SegmentMembership>().Table
            .Where(membership => membership.SegmentId == segment.Id && membership.CustomerId == ann.Id)
            .Set(membership => membership.LeftOnUtc, (DateTime?)nowUtc)
            .UpdateAsync();

        var result = await RebuildService.RebuildSegmentAsync(segment);

        Assert.That(result, Is.EqualTo(new SegmentRebuildResult(segment.Id, 1, 0)));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { bob.Id, cid.Id }.Order()));
        Assert.That(await RowsAsync(segment.Id), Has.Count.EqualTo(3));
    }
}
