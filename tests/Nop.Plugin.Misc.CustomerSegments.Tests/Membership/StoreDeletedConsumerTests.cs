using Moq;
using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Stores;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// A store deleted in nopCommerce's admin (soft-deleted, then <see cref="EntityDeletedEvent{T}"/> of the store): the
/// segments limited to it become inactive, with their memberships and history kept, and the log names them
/// </summary>
public class StoreDeletedConsumerTests : StoreSegmentsTestBase
{
    private const int DeletedStoreId = 2;
    private const int OtherStoreId = 3;

    public StoreDeletedConsumerTests(DatabaseEngine engine) : base(engine)
    {
    }

    private StoreDeletedConsumer NewConsumer() => new(NewDeactivator());

    /// <summary>
    /// As nopCommerce's StoreService.DeleteStoreAsync does it: the store soft-deleted, then announced
    /// </summary>
    private async Task DeleteStoreAsync(int storeId)
    {
        await Repository<Store>().Table.Where(store => store.Id == storeId).Set(store => store.Deleted, true).UpdateAsync();
        await PublishAsync(NewConsumer(), new EntityDeletedEvent<Store>(new Store { Id = storeId, Name = $"Store {storeId}", Deleted = true }));
    }

    private async Task<Customer> RegisteredInAsync(string email, int storeId)
    {
        var customer = await CustomerAsync(email, "Acme");
        customer.RegisteredInStoreId = storeId;
        await Repository<Customer>().UpdateAsync(customer, false);
        return customer;
    }

    private static string RegisteredIn(int storeId) => Json(Condition(RuleFields.RegisteredInStore, RuleOperators.Equal, storeId));

    private void VerifyNoWarning() =>
        Logger.Verify(logger => logger.WarningAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()), Times.Never);

    [Test]
    public async Task TheDeletedStoresSegmentsBecomeInactiveAndKeepTheirMembershipsAndHistory()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var dynamicOfStore = await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var staticOfStore = await StoreSegmentAsync("Picked in store 2", DeletedStoreId, null, SegmentType.Static);
        var otherStore = await StoreSegmentAsync("Acme of store 3", OtherStoreId, Json(Company("Acme")));
        var allStores = await StoreSegmentAsync("Acme everywhere", 0, Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        await StaticService.AddCustomersAsync(staticOfStore, [ann.Id, bob.Id]);
        //bob left once: his closed row is history that stays
        await StaticService.RemoveCustomersAsync(staticOfStore, [bob.Id]);
        var rowsBefore = await AllMembershipRowsAsync();
        Assert.That(rowsBefore.Count(row => row.SegmentId == staticOfStore.Id && row.LeftOnUtc != null), Is.EqualTo(1));

        await DeleteStoreAsync(DeletedStoreId);

        Assert.That(await ActiveByIdAsync(), Is.EqualTo(new Dictionary<int, bool>
        {
            [dynamicOfStore.Id] = false,
            [staticOfStore.Id] = false,
            [otherStore.Id] = true,
            [allStores.Id] = true
        }));
        Assert.That(await AllMembershipRowsAsync(), Is.EqualTo(rowsBefore), "no membership or history row is deleted or closed");
        Assert.That(await CurrentMemberIdsAsync(dynamicOfStore.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order().ToArray()));
    }

    [Test]
    public async Task OneWarningNamesTheSegmentsMadeInactive()
    {
        var vip = await StoreSegmentAsync("VIP of store 2", DeletedStoreId, Json(Company("Acme")));
        var picked = await StoreSegmentAsync("Picked in store 2", DeletedStoreId, null, SegmentType.Static);
        await StoreSegmentAsync("Already off in store 2", DeletedStoreId, Json(Company("Acme")), active: false);
        await StoreSegmentAsync("VIP of store 3", OtherStoreId, Json(Company("Acme")));
        await StoreSegmentAsync("VIP everywhere", 0, Json(Company("Acme")));
        var messages = new List<string>();
        Logger.Setup(logger => logger.WarningAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()))
            .Callback((string message, Exception _, Customer _) => messages.Add(message))
            .Returns(Task.CompletedTask);

        await DeleteStoreAsync(DeletedStoreId);

        Assert.That(messages, Has.Count.EqualTo(1));
        Assert.That(messages[0], Does.Contain($"VIP of store 2 (#{vip.Id})").And.Contain($"Picked in store 2 (#{picked.Id})"));
        Assert.That(messages[0], Does.Contain($"Store {DeletedStoreId} (#{DeletedStoreId})"), "the log says which store was deleted");
        Assert.That(messages[0], Does.Not.Contain("Already off").And.Not.Contain("store 3").And.Not.Contain("everywhere"));
    }

    [Test]
    public async Task NothingHappensWhenNoSegmentUsedTheStore()
    {
        var otherStore = await StoreSegmentAsync("Acme of store 3", OtherStoreId, Json(Company("Acme")));
        var allStores = await StoreSegmentAsync("Acme everywhere", 0, Json(Company("Acme")));
        var before = (await Repository<Segment>().Table.ToListAsync()).ToDictionary(segment => segment.Id, segment => (segment.Active, segment.UpdatedOnUtc));

        await DeleteStoreAsync(DeletedStoreId);

        var after = (await Repository<Segment>().Table.ToListAsync()).ToDictionary(segment => segment.Id, segment => (segment.Active, segment.UpdatedOnUtc));
        Assert.That(after, Is.EqualTo(before));
        Assert.That(after.Keys, Is.EquivalentTo(new[] { otherStore.Id, allStores.Id }));
        VerifyNoWarning();
        Assert.That(await Repository<SegmentRebuildRun>().Table.ToListAsync(), Is.Empty);
    }

    [Test]
    public async Task TheCachedSegmentsOfCustomersAndTheActiveSegmentsForgetTheDeactivatedOnes()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var ofStore = await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var allStores = await StoreSegmentAsync("Acme everywhere", 0, Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        var activeSegments = new ActiveSegmentReader(Repository<Segment>(), StaticCache);
        CustomerSegmentIdsReader customerSegments() => new(MembershipService, new InMemoryShortTermCacheManager(), StaticCache);
        Assert.That(await customerSegments().GetSegmentIdsAsync(ann.Id), Is.EquivalentTo(new[] { ofStore.Id, allStores.Id }));
        Assert.That((await activeSegments.GetActiveDynamicSegmentsAsync()).Select(segment => segment.Id), Is.EqualTo(new[] { ofStore.Id, allStores.Id }));

        await DeleteStoreAsync(DeletedStoreId);

        Assert.That(await customerSegments().GetSegmentIdsAsync(ann.Id), Is.EquivalentTo(new[] { allStores.Id }),
            "a discount targeting the segment no longer applies to its members");
        Assert.That((await activeSegments.GetActiveDynamicSegmentsAsync()).Select(segment => segment.Id), Is.EqualTo(new[] { allStores.Id }),
            "the events no longer re-evaluate the segment");
    }

    /// <summary>
    /// A rule naming a segment sees its members only while it is active: the segments naming a deactivated one are
    /// rebuilt in the background, as when the admin switches a segment off
    /// </summary>
    [Test]
    public async Task TheSegmentsNamingADeactivatedSegmentAreRebuilt()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var ofStore = await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var naming = await StoreSegmentAsync("Members of Acme of store 2", 0, Json(MemberOf(ofStore.Id)));
        var unrelated = await StoreSegmentAsync("Acme everywhere", 0, Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.EqualTo(new[] { ann.Id }));

        await DeleteStoreAsync(DeletedStoreId);

        var run = await WaitForRunOfAsync(naming.Id);
        Assert.That(run?.StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(ofStore.Id), Is.EqualTo(new[] { ann.Id }), "the deactivated segment keeps its members");
        Assert.That(await Repository<SegmentRebuildRun>().Table.Where(r => r.SegmentId != naming.Id).ToListAsync(), Is.Empty,
            $"only the segment naming it is rebuilt, not {unrelated.Name} nor the inactive segment");
    }

    /// <summary>
    /// A segment's run rebuilds the segments naming it: of a chain naming a deactivated segment, only the first is
    /// started, once, however many deactivated segments it names
    /// </summary>
    [Test]
    public async Task ASegmentNamingTheDeactivatedOnesThroughAnotherComesAlongWithItsRun()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var ofStore = await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var alsoOfStore = await StoreSegmentAsync("Also Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var naming = await StoreSegmentAsync("Members of both", 0, Json(MemberOf(ofStore.Id), MemberOf(alsoOfStore.Id)));
        var namingNaming = await StoreSegmentAsync("Members of members", 0, Json(MemberOf(naming.Id), MemberOf(ofStore.Id)));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(namingNaming.Id), Is.EqualTo(new[] { ann.Id }));

        await DeleteStoreAsync(DeletedStoreId);

        await WaitForRebuildRunsAsync();
        var runs = await Repository<SegmentRebuildRun>().Table.ToListAsync();
        Assert.That(runs.Select(run => (run.SegmentId, run.StateId)), Is.EqualTo(new[] { (naming.Id, (int)SegmentRebuildRunState.Completed) }));
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(namingNaming.Id), Is.Empty, "rebuilt by the run of the segment it names");
    }

    [Test]
    public async Task AFailureToStartTheRebuildsIsLoggedNotThrown()
    {
        var ofStore = await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        await StoreSegmentAsync("Members of Acme of store 2", 0, Json(MemberOf(ofStore.Id)));
        var runs = new Mock<ISegmentRebuildRunService>();
        runs.Setup(service => service.StartWithReferencingSegmentsAsync(It.IsAny<IEnumerable<Segment>>())).ThrowsAsync(new InvalidOperationException("database away"));

        Assert.DoesNotThrowAsync(() => PublishAsync(new StoreDeletedConsumer(new StoreSegmentDeactivator(Logger.Object, Repository<Segment>(), Repository<Store>(), runs.Object, SegmentService)),
            new EntityDeletedEvent<Store>(new Store { Id = DeletedStoreId, Name = "Store 2", Deleted = true })));

        Assert.That((await ActiveByIdAsync())[ofStore.Id], Is.False);
        Logger.Verify(logger => logger.ErrorAsync(It.IsAny<string>(), It.Is<Exception>(exception => exception.Message == "database away"), It.IsAny<Customer>()),
            Times.Once);
    }

    /// <summary>
    /// A saved rule naming a store deleted afterwards keeps running, as one naming a deleted product or role: the
    /// condition keeps matching the customers registered in the store, the rebuilds (scheduled and "rebuild now")
    /// succeed and leave the other segments alone; the rule is saved again only with another store
    /// </summary>
    /// <summary>
    /// The admin learns which rules name the deleted store: their conditions keep matching the customers registered in
    /// it, and such a rule is saved again only with another store
    /// </summary>
    [Test]
    public async Task AWarningNamesTheSegmentsWhoseRulesNameTheDeletedStore()
    {
        var there = await StoreSegmentAsync("Registered in store 2", 0, RegisteredIn(DeletedStoreId));
        var inList = await StoreSegmentAsync("Not registered in 1 or 2", OtherStoreId,
            Json(Condition(RuleFields.RegisteredInStore, RuleOperators.NotIn, 1, DeletedStoreId)));
        await StoreSegmentAsync("Registered in store 3", 0, RegisteredIn(OtherStoreId));
        await StoreSegmentAsync("Acme of store 2", DeletedStoreId, Json(Company("Acme")));
        var messages = new List<string>();
        Logger.Setup(logger => logger.WarningAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()))
            .Callback((string message, Exception _, Customer _) => messages.Add(message))
            .Returns(Task.CompletedTask);

        await DeleteStoreAsync(DeletedStoreId);

        Assert.That(messages, Has.Count.EqualTo(2));
        var rules = messages.Single(message => message.Contains("rules"));
        Assert.That(rules, Does.Contain($"Store {DeletedStoreId} (#{DeletedStoreId})")
            .And.Contain($"Registered in store 2 (#{there.Id})").And.Contain($"Not registered in 1 or 2 (#{inList.Id})")
            .And.Not.Contain("Registered in store 3").And.Not.Contain("Acme"));
        Assert.That((await ActiveByIdAsync())[there.Id], Is.True);
    }

    [Test]
    public async Task ARuleNamingTheDeletedStoreKeepsRunningAndIsSavedAgainOnlyWithAnotherStore()
    {
        var ann = await RegisteredInAsync("ann@example.com", DeletedStoreId);
        var bob = await RegisteredInAsync("bob@example.com", OtherStoreId);
        var registeredThere = await StoreSegmentAsync("Registered in store 2", 0, RegisteredIn(DeletedStoreId));
        var registeredElsewhere = await StoreSegmentAsync("Registered in store 3", 0, RegisteredIn(OtherStoreId));
        await RebuildService.RebuildAllSegmentsAsync();

        await DeleteStoreAsync(DeletedStoreId);

        var carol = await RegisteredInAsync("carol@example.com", DeletedStoreId);
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(registeredThere.Id), Is.EqualTo(new[] { ann.Id, carol.Id }));
        Assert.That(await CurrentMemberIdsAsync(registeredElsewhere.Id), Is.EqualTo(new[] { bob.Id }));

        await NewRebuildRunService().StartAsync(registeredThere);
        var run = await WaitForRunOfAsync(registeredThere.Id);
        Assert.That((run?.StateId, run?.ErrorResource), Is.EqualTo(((int?)SegmentRebuildRunState.Completed, (string)null)));
        Assert.That((await ActiveByIdAsync())[registeredThere.Id], Is.True, "a segment for all stores stays active");

        registeredThere.Description = "Edited";
        var refused = Assert.ThrowsAsync<SegmentRuleValidationException>(() => SegmentService.UpdateSegmentAsync(registeredThere));
        Assert.That(refused.Errors.Select(error => (error.ResourceKey, error.Path)), Is.EqualTo(new[] { (RuleErrorKeys.StoreNotFound, "0") }));
        Assert.That((await Repository<Segment>().GetByIdAsync(registeredThere.Id)).Description, Is.Null, "nothing is saved");

        registeredThere.RuleJson = RegisteredIn(OtherStoreId);
        await SegmentService.UpdateSegmentAsync(registeredThere);
    }
}
