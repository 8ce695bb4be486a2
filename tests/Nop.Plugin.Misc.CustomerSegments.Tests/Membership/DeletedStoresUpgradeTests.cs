using LinqToDB;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The plugin's update switches off the segments of the stores deleted before it did so by itself (it saw no event of
/// them): as when a store is deleted now, memberships and history stay and the log names them
/// </summary>
public class DeletedStoresUpgradeTests : StoreSegmentsTestBase
{
    private const int LiveStoreId = 1;
    private const int DeletedStoreId = 2;
    private const int MissingStoreId = 7;

    public DeletedStoresUpgradeTests(DatabaseEngine engine) : base(engine)
    {
    }

    private List<string> _warnings;

    [SetUp]
    public async Task DeleteStoreSilentlyAsync()
    {
        //deleted in nopCommerce while an earlier version of the plugin did not listen
        await Repository<Store>().Table.Where(store => store.Id == DeletedStoreId).Set(store => store.Deleted, true).UpdateAsync();

        _warnings = [];
        Logger.Setup(logger => logger.WarningAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()))
            .Callback((string message, Exception _, Customer _) => _warnings.Add(message))
            .Returns(Task.CompletedTask);
    }

    private async Task<Segment> SavedEarlierAsync(string name, RuleCondition condition)
    {
        var segment = new Segment
        {
            Name = name, SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = Json(condition), RuleSchemaVersion = 1, Active = true,
            CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow
        };
        await Repository<Segment>().InsertAsync(segment, false);
        return segment;
    }

    [Test]
    public async Task TheSegmentsOfDeletedOrMissingStoresBecomeInactiveKeepingTheirMembershipsAndHistory()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var ofDeleted = await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var pickedInDeleted = await StoreSegmentAsync("Picked in store 2", DeletedStoreId, null, SegmentType.Static);
        var ofMissing = await StoreSegmentAsync("Acme of store 7", MissingStoreId, Json(Company("Acme")));
        var alreadyOff = await StoreSegmentAsync("Already off in store 2", DeletedStoreId, Json(Company("Acme")), active: false);
        var ofLive = await StoreSegmentAsync("Acme of store 1", LiveStoreId, Json(Company("Acme")));
        var allStores = await StoreSegmentAsync("Acme everywhere", 0, Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        await StaticService.AddCustomersAsync(pickedInDeleted, [ann.Id, bob.Id]);
        await StaticService.RemoveCustomersAsync(pickedInDeleted, [bob.Id]);
        var rowsBefore = await AllMembershipRowsAsync();

        var deactivated = await NewDeactivator().DeactivateSegmentsOfDeletedStoresAsync();

        Assert.That(deactivated.Select(segment => segment.Id), Is.EquivalentTo(new[] { ofDeleted.Id, pickedInDeleted.Id, ofMissing.Id }));
        Assert.That(await ActiveByIdAsync(), Is.EqualTo(new Dictionary<int, bool>
        {
            [ofDeleted.Id] = false,
            [pickedInDeleted.Id] = false,
            [ofMissing.Id] = false,
            [alreadyOff.Id] = false,
            [ofLive.Id] = true,
            [allStores.Id] = true
        }));
        Assert.That(await AllMembershipRowsAsync(), Is.EqualTo(rowsBefore), "no membership or history row is deleted or closed");
        Assert.That(await CurrentMemberIdsAsync(ofDeleted.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order().ToArray()));
    }

    [Test]
    public async Task AWarningPerStoreNamesItsSegmentsAndASecondUpdateFindsNothing()
    {
        var vip = await StoreSegmentAsync("VIP of store 2", DeletedStoreId, Json(Company("Acme")));
        var picked = await StoreSegmentAsync("Picked in store 2", DeletedStoreId, null, SegmentType.Static);
        var gone = await StoreSegmentAsync("VIP of store 7", MissingStoreId, Json(Company("Acme")));
        await StoreSegmentAsync("VIP of store 1", LiveStoreId, Json(Company("Acme")));
        await StoreSegmentAsync("VIP everywhere", 0, Json(Company("Acme")));

        await NewDeactivator().DeactivateSegmentsOfDeletedStoresAsync();

        Assert.That(_warnings, Has.Count.EqualTo(2));
        Assert.That(_warnings[0], Does.Contain($"Store {DeletedStoreId} (#{DeletedStoreId})")
            .And.Contain($"VIP of store 2 (#{vip.Id})").And.Contain($"Picked in store 2 (#{picked.Id})")
            .And.Not.Contain("store 7").And.Not.Contain("store 1").And.Not.Contain("everywhere"));
        Assert.That(_warnings[1], Does.Contain($"store #{MissingStoreId} was deleted").And.Contain($"VIP of store 7 (#{gone.Id})")
            .And.Not.Contain("store 2"));

        var before = (await Repository<Segment>().Table.ToListAsync()).ToDictionary(segment => segment.Id, segment => (segment.Active, segment.UpdatedOnUtc));
        Assert.That(await NewDeactivator().DeactivateSegmentsOfDeletedStoresAsync(), Is.Empty);
        Assert.That((await Repository<Segment>().Table.ToListAsync()).ToDictionary(segment => segment.Id, segment => (segment.Active, segment.UpdatedOnUtc)),
            Is.EqualTo(before));
        Assert.That(_warnings, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task TheSegmentsNamingADeactivatedSegmentAreRebuilt()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var ofDeleted = await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var naming = await StoreSegmentAsync("Members of Acme of store 2", 0, Json(MemberOf(ofDeleted.Id)));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.EqualTo(new[] { ann.Id }));

        await NewDeactivator().DeactivateSegmentsOfDeletedStoresAsync();

        var run = await WaitForRunOfAsync(naming.Id);
        Assert.That(run?.StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(ofDeleted.Id), Is.EqualTo(new[] { ann.Id }), "the deactivated segment keeps its members");
    }

    /// <summary>
    /// A rule saved before its store was deleted keeps running; the update names it once for the admin to review
    /// </summary>
    [Test]
    public async Task AWarningNamesTheRulesNamingADeletedStore()
    {
        //saved while stores 2 and 7 were there
        var naming = await SavedEarlierAsync("Registered in store 2", Condition(RuleFields.RegisteredInStore, RuleOperators.Equal, DeletedStoreId));
        var namingMissing = await SavedEarlierAsync("Registered in store 7", Condition(RuleFields.RegisteredInStore, RuleOperators.In, LiveStoreId, MissingStoreId));
        await StoreSegmentAsync("Registered in store 1", 0, Json(Condition(RuleFields.RegisteredInStore, RuleOperators.Equal, LiveStoreId)));

        Assert.That(await NewDeactivator().DeactivateSegmentsOfDeletedStoresAsync(), Is.Empty);

        Assert.That(_warnings, Has.Count.EqualTo(2));
        Assert.That(_warnings[0], Does.Contain($"Store {DeletedStoreId} (#{DeletedStoreId})").And.Contain($"Registered in store 2 (#{naming.Id})")
            .And.Not.Contain("store 1").And.Not.Contain("store 7"));
        Assert.That(_warnings[1], Does.Contain($"store #{MissingStoreId}").And.Contain($"Registered in store 7 (#{namingMissing.Id})"));
        Assert.That((await ActiveByIdAsync()).Values, Is.All.True);
    }

    [Test]
    public async Task NothingHappensWithoutSegmentsOfDeletedStores()
    {
        await StoreSegmentAsync("VIP of store 1", LiveStoreId, Json(Company("Acme")));
        await StoreSegmentAsync("Already off in store 2", DeletedStoreId, Json(Company("Acme")), active: false);

        Assert.That(await NewDeactivator().DeactivateSegmentsOfDeletedStoresAsync(), Is.Empty);
        Assert.That(_warnings, Is.Empty);
        Assert.That(await Repository<SegmentRebuildRun>().Table.ToListAsync(), Is.Empty);
    }
}
