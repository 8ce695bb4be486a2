using LinqToDB;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Discounts;
using Nop.Core.Domain.Orders;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// A segment saved by a version of the plugin before the limit of conditions on other tables
/// (<see cref="RuleValueLimits.MaxTableConditions"/>): its rule is still read, but no longer validates. It is not
/// rebuilt and is reported; its members are kept, and the rest of the shop's segments go on.
/// </summary>
public class RuleOverTheTableConditionLimitTests : MembershipTestBase
{
    public RuleOverTheTableConditionLimitTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// One more condition on other tables than allowed: "at least two orders", which none of the tests' members has,
    /// so that evaluating the rule would take them out
    /// </summary>
    private static string OverTheLimit(params RuleCondition[] others) =>
        Json([.. others, .. Enumerable.Range(0, RuleValueLimits.MaxTableConditions + 1 - others.Count(IsOnOtherTables)).Select(_ => OrdersAtLeast(2))]);

    private static bool IsOnOtherTables(RuleCondition condition) => new RuleFieldCatalog().GetField(condition.Field)!.ReadsOtherTables;

    /// <summary>
    /// The segment's row and its members written as an older version left them, without the segment service's validation
    /// </summary>
    private async Task<Segment> SavedByAnOlderVersionAsync(string name, string ruleJson, params Customer[] members)
    {
        var segment = new Segment
        {
            Name = name,
            SegmentTypeId = (int)SegmentType.Dynamic,
            RuleJson = ruleJson,
            RuleSchemaVersion = 1,
            Active = true,
            CreatedOnUtc = DateTime.UtcNow.AddDays(-60),
            UpdatedOnUtc = DateTime.UtcNow.AddDays(-60)
        };
        await Repository<Segment>().InsertAsync(segment, false);
        foreach (var member in members)
            await Repository<SegmentMembership>().InsertAsync(new SegmentMembership { SegmentId = segment.Id, CustomerId = member.Id, EnteredOnUtc = DateTime.UtcNow.AddDays(-30) }, false);
        await CacheInvalidator.SegmentsChangedAsync();

        var parsed = Serializer.Parse(ruleJson);
        Assert.That(parsed.Success, Is.True, "valid JSON of known fields");
        Assert.That((await Validator.ValidateSavedAsync(parsed.Rule, segment.Id)).Select(error => error.ResourceKey),
            Is.EqualTo(new[] { RuleErrorKeys.TooManyTableConditions }), "over the limit, and only that");

        return segment;
    }

    private async Task AssertKeptAsync(Segment segment, params Customer[] members)
    {
        var rows = await RowsAsync(segment.Id);
        Assert.That(rows.Select(row => row.CustomerId), Is.EquivalentTo(members.Select(member => member.Id)), $"{segment.Name}: the stays as they were");
        Assert.That(rows.Select(row => row.LeftOnUtc), Is.All.Null, $"{segment.Name}: no stay closed");
    }

    private void VerifyReported(Segment segment, Times times) =>
        Logger.Verify(logger => logger.WarningAsync(It.Is<string>(message => message.Contains($"'{segment.Name}' (id {segment.Id}) was not rebuilt")),
            It.Is<SegmentRuleValidationException>(exception => exception.Errors.Single().ResourceKey == RuleErrorKeys.TooManyTableConditions), null), times);

    [Test]
    public async Task TheScheduledFullRebuildKeepsItsMembersReportsItAndRebuildsTheOthers()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var legacy = await SavedByAnOlderVersionAsync("Legacy", OverTheLimit(Company("Acme")), ann);
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var followers = await SegmentAsync("Legacy followers", Json(MemberOf(legacy.Id)));
        var settings = new CustomerSegmentsSettings { FullRebuildIntervalHours = 24 };
        var task = new SegmentRebuildTask(settings, Logger.Object, new SegmentLeaseService(Repository<SegmentLease>()),
            new SegmentPendingCustomerProcessor(Logger.Object, PendingCustomers), RebuildService, Mock.Of<ISettingService>());

        var results = await task.RunAsync();

        await AssertKeptAsync(legacy, ann);
        VerifyReported(legacy, Times.Once());
        Assert.That(results.Select(result => result.SegmentId), Is.EquivalentTo(new[] { acme.Id, followers.Id }));
        Assert.That(results.Any(result => result.Failed), Is.False);
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        Assert.That(await CurrentMemberIdsAsync(followers.Id), Is.EqualTo(new[] { ann.Id }), "built from the kept members");
        Assert.That((await SegmentService.GetSegmentByIdAsync(legacy.Id)).LastRebuiltOnUtc, Is.Null, "the page does not say it was rebuilt");
        Assert.That((await SegmentService.GetSegmentByIdAsync(acme.Id)).LastRebuiltOnUtc, Is.Not.Null);
    }

    [Test]
    public async Task OrderAndCustomerEventsOfAMemberLeaveItAsItIsAndUpdateTheOthers()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var legacy = await SavedByAnOlderVersionAsync("Legacy", OverTheLimit(Company("Acme")), ann);
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await RebuildService.RebuildSegmentAsync(acme);
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }));

        var order = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(order));

        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "her first order");
        await AssertKeptAsync(legacy, ann);
        VerifyReported(legacy, Times.Once());

        ann.Company = "Other";
        await Repository<Customer>().UpdateAsync(ann, false);
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "no longer of Acme");
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertKeptAsync(legacy, ann);
        VerifyReported(legacy, Times.Exactly(2));
    }

    /// <summary>
    /// A role deleted starts the background runs of the segments reading roles (EventGapTests); the run of the segment
    /// over the limit fails, and a segment that names it and reads roles itself is rebuilt all the same, over the kept members
    /// </summary>
    [Test]
    public async Task ASegmentNamingItIsRebuiltWhenItsOwnDataChanges()
    {
        var ann = await CustomerAsync("ann@example.com");
        var vip = new CustomerRole { Name = "VIP", SystemName = "VIP", Active = true };
        await Repository<CustomerRole>().InsertAsync(vip, false);
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = vip.Id }, false);
        var legacy = await SavedByAnOlderVersionAsync("Legacy", OverTheLimit(HasRole(vip.Id)), ann);
        var legacyVips = await SegmentAsync("Legacy VIPs", Json(MemberOf(legacy.Id), HasRole(vip.Id)));
        await RebuildService.RebuildSegmentAsync(legacyVips);
        Assert.That(await CurrentMemberIdsAsync(legacyVips.Id), Is.EqualTo(new[] { ann.Id }));

        await Repository<CustomerRole>().DeleteAsync(vip, false);
        await Repository<CustomerCustomerRoleMapping>().DeleteAsync(mapping => mapping.CustomerRoleId == vip.Id);
        await PublishAsync<EntityDeletedEvent<CustomerRole>>(Customers, new EntityDeletedEvent<CustomerRole>(vip));
        await WaitForRebuildRunsAsync();

        Assert.That(await CurrentMemberIdsAsync(legacyVips.Id), Is.Empty, "no longer in the role");
        await AssertKeptAsync(legacy, ann);
        var runs = await Repository<SegmentRebuildRun>().Table.ToListAsync();
        Assert.That(runs.Single(run => run.SegmentId == legacy.Id).ErrorResource, Is.EqualTo("Segments.Rebuild.InvalidRule"));
        Assert.That(runs.Single(run => run.SegmentId == legacyVips.Id).StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
    }

    [Test]
    public async Task ADiscountForItStillAnswersFromTheKeptMembers()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var legacy = await SavedByAnOlderVersionAsync("Legacy", OverTheLimit(Company("Acme")), ann);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var settingService = SavedSettingsMock.Over(settings);
        var customerService = new Mock<ICustomerService>();
        customerService.Setup(c => c.IsRegisteredAsync(It.IsAny<Customer>(), It.IsAny<bool>())).ReturnsAsync(true);
        var store = new SegmentRequirementStore(settingService.Object);
        const int requirementId = 41;
        await store.SaveAsync(requirementId, new SegmentRequirement { IncludeSegmentIds = [legacy.Id] });

        //one storefront request each
        async Task<bool> PassesAsync(Customer customer)
        {
            var shortTerm = new InMemoryShortTermCacheManager();
            var checker = new SegmentRequirementChecker(new CustomerSegmentsSettings(), new CustomerSegmentIdsReader(MembershipService, shortTerm, StaticCache),
                customerService.Object, Mock.Of<Nop.Services.Logging.ILogger>(), store, new ActiveSegmentReader(Repository<Segment>(), StaticCache), shortTerm);
            return (await checker.CheckAsync(new DiscountRequirementValidationRequest { DiscountRequirementId = requirementId, Customer = customer })).IsValid;
        }

        Assert.That(await PassesAsync(ann), Is.True);
        Assert.That(await PassesAsync(bob), Is.False, "matches the rule's Acme, but was never a member");

        await RebuildService.RebuildAllSegmentsAsync();

        Assert.That(await PassesAsync(ann), Is.True, "after the full rebuild too");
        Assert.That(await PassesAsync(bob), Is.False);
    }
}
