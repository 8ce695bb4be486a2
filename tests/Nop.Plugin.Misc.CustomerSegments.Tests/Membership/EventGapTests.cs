using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// nopCommerce operations that change what rules read while publishing no event about the rows they change
/// (rows removed by a foreign key's cascade, bulk deletes): their segments follow without waiting for a full rebuild
/// </summary>
public class EventGapTests : MembershipTestBase
{
    private const string OtherHolder = "another-instance/rebuild";

    public EventGapTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// Every consumer of the plugin, as nopCommerce's publisher finds them
    /// </summary>
    private object[] AllConsumers =>
    [
        Customers, Engagement, Orders,
        new AddressEventConsumer(Logger.Object, PendingCustomers, ReevaluationService, Repository<Customer>(), Repository<CustomerAddressMapping>()),
        new OrderItemEventConsumer(new CustomerSegmentsSettings(), Logger.Object, PendingCustomers, ReevaluationService, Repository<Nop.Core.Domain.Orders.Order>(), OutsideRequest)
    ];

    private async Task<int[]> RunSegmentIdsAsync() =>
        (await Repository<SegmentRebuildRun>().Table.Select(run => run.SegmentId).ToListAsync()).Order().ToArray();

    /// <summary>
    /// CustomerService.DeleteCustomerRoleAsync deletes the role (EntityDeletedEvent&lt;CustomerRole&gt;); its
    /// Customer_CustomerRole_Mapping rows go with it by the foreign key's ON DELETE CASCADE, without events
    /// </summary>
    [Test]
    public async Task DeletingACustomerRoleMovesItsFormerMembers()
    {
        var ann = await CustomerAsync("ann@example.com");
        var vip = new CustomerRole { Name = "VIP", SystemName = "VIP", Active = true };
        await Repository<CustomerRole>().InsertAsync(vip, false);
        var mapping = new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = vip.Id };
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(mapping, false);
        var vips = await SegmentAsync("VIPs", Json(HasRole(vip.Id)));
        var others = await SegmentAsync("Not VIPs", Json(Condition(RuleFields.CustomerRoles, RuleOperators.NoneOf, vip.Id)));
        await PublishToConsumersAsync(new EntityInsertedEvent<CustomerCustomerRoleMapping>(mapping), AllConsumers);
        Assert.That(await CurrentMemberIdsAsync(vips.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(others.Id), Is.Empty);

        await Repository<CustomerRole>().DeleteAsync(vip, false);
        await Repository<CustomerCustomerRoleMapping>().DeleteAsync(m => m.CustomerRoleId == vip.Id);
        await PublishToConsumersAsync(new EntityDeletedEvent<CustomerRole>(vip), AllConsumers);

        Assert.That(await RunSegmentIdsAsync(), Is.EquivalentTo(new[] { vips.Id, others.Id }), "rebuilt in the background");
        await WaitForRebuildRunsAsync();
        Assert.That(await CurrentMemberIdsAsync(vips.Id), Is.Empty, "no longer in the role");
        Assert.That(await CurrentMemberIdsAsync(others.Id), Is.EqualTo(new[] { ann.Id }), "in none of the roles now");
    }

    /// <summary>
    /// The admin makes a role exempt from tax (CustomerService.UpdateCustomerRoleAsync: EntityUpdatedEvent&lt;CustomerRole&gt;):
    /// its customers are exempt now, as nopCommerce's tax service decides
    /// </summary>
    [Test]
    public async Task ARoleMadeExemptFromTaxMovesItsCustomers()
    {
        var ann = await CustomerAsync("ann@example.com");
        var resellers = new CustomerRole { Name = "Resellers", SystemName = "Resellers", Active = true };
        await Repository<CustomerRole>().InsertAsync(resellers, false);
        var mapping = new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = resellers.Id };
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(mapping, false);
        var exempt = await SegmentAsync("Exempt", Json(Condition(RuleFields.TaxExempt, RuleOperators.Equal, true)));
        await PublishToConsumersAsync(new EntityInsertedEvent<CustomerCustomerRoleMapping>(mapping), AllConsumers);
        Assert.That(await CurrentMemberIdsAsync(exempt.Id), Is.Empty);

        resellers.TaxExempt = true;
        await Repository<CustomerRole>().UpdateAsync(resellers, false);
        await PublishToConsumersAsync(new EntityUpdatedEvent<CustomerRole>(resellers), AllConsumers);

        Assert.That(await RunSegmentIdsAsync(), Is.EqualTo(new[] { exempt.Id }), "rebuilt in the background");
        await WaitForRebuildRunsAsync();
        Assert.That(await CurrentMemberIdsAsync(exempt.Id), Is.EqualTo(new[] { ann.Id }), "exempt by her role");
    }

    /// <summary>
    /// NewsLetterSubscriptionTypeService.DeleteNewsLetterSubscriptionTypeAsync deletes the type
    /// (EntityDeletedEvent&lt;NewsLetterSubscriptionType&gt;); its NewsLetterSubscription rows go with it by the
    /// foreign key's ON DELETE CASCADE, without events
    /// </summary>
    [Test]
    public async Task DeletingANewsletterSubscriptionTypeTakesItsSubscribersOut()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Subscribers", Json(Subscribed()));
        var type = new NewsLetterSubscriptionType { Id = 2, Name = "Offers" };
        var subscription = new NewsLetterSubscription
        {
            Email = ann.Email, Active = true, TypeId = type.Id, NewsLetterSubscriptionGuid = Guid.NewGuid(), CreatedOnUtc = DateTime.UtcNow
        };
        await Repository<NewsLetterSubscription>().InsertAsync(subscription, false);
        await PublishToConsumersAsync(new EntityInsertedEvent<NewsLetterSubscription>(subscription), AllConsumers);
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }));

        await Repository<NewsLetterSubscription>().DeleteAsync(s => s.TypeId == type.Id);
        await PublishToConsumersAsync(new EntityDeletedEvent<NewsLetterSubscriptionType>(type), AllConsumers);

        Assert.That(await RunSegmentIdsAsync(), Is.EqualTo(new[] { segment.Id }), "rebuilt in the background");
        await WaitForRebuildRunsAsync();
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    /// <summary>
    /// CustomerService.DeleteGuestCustomersAsync (the "Delete guests" task) removes guests' rows with a bulk
    /// delete and no events: the full rebuild is what corrects memberships then, static segments' too
    /// </summary>
    [Test]
    public async Task AFullRebuildClosesStaticStaysOfCustomersRemovedForGood()
    {
        var guests = await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName);
        var guest = await CustomerInRoleAsync(guests, null);
        var ann = await CustomerAsync("ann@example.com");
        var manual = await SegmentAsync("Manual", null, SegmentType.Static);
        Assert.That(await StaticService.AddCustomersAsync(manual, [guest.Id, ann.Id]), Is.EqualTo(2));

        await Repository<Customer>().DeleteAsync(c => c.Id == guest.Id);
        await Repository<CustomerCustomerRoleMapping>().DeleteAsync(m => m.CustomerId == guest.Id);
        await RebuildService.RebuildAllSegmentsAsync();

        Assert.That(await CurrentMemberIdsAsync(manual.Id), Is.EqualTo(new[] { ann.Id }), "the removed guest's stay is closed");
    }

    /// <summary>
    /// ImportManager.ImportCustomersFromXlsxAsync inserts a new customer (EntityInsertedEvent&lt;Customer&gt;) and adds
    /// only the roles of the file's CustomerRoles column: without roles there, no role event follows
    /// </summary>
    [Test]
    public async Task ACustomerImportedWithoutRolesIsEvaluated()
    {
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var imported = new Customer
        {
            CustomerGuid = Guid.NewGuid(), Email = "ann@example.com", Username = "ann@example.com", Company = "Acme", Active = true,
            CreatedOnUtc = DateTime.UtcNow, LastActivityDateUtc = DateTime.UtcNow
        };
        await Repository<Customer>().InsertAsync(imported, false);
        await PublishToConsumersAsync(new EntityInsertedEvent<Customer>(imported), AllConsumers);

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { imported.Id }));
    }

    /// <summary>
    /// The admin deleting a role does not wait for the segments' rebuilds (seconds each at a large shop): they run in the
    /// background, under the lease of the scheduled rebuild, waiting while another rebuild holds it
    /// </summary>
    [Test]
    public async Task ARoleDeletedRebuildsInTheBackgroundUnderTheRebuildLease()
    {
        var ann = await CustomerAsync("ann@example.com");
        var vip = new CustomerRole { Name = "VIP", SystemName = "VIP", Active = true };
        await Repository<CustomerRole>().InsertAsync(vip, false);
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = vip.Id }, false);
        var vips = await SegmentAsync("VIPs", Json(HasRole(vip.Id)));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(vips.Id), Is.EqualTo(new[] { ann.Id }));
        var leases = new SegmentLeaseService(Repository<SegmentLease>());
        Assert.That(await leases.TryAcquireAsync(CustomerSegmentsDefaults.RebuildLeaseName, OtherHolder, TimeSpan.FromMinutes(5)), Is.True);

        await Repository<CustomerRole>().DeleteAsync(vip, false);
        await Repository<CustomerCustomerRoleMapping>().DeleteAsync(m => m.CustomerRoleId == vip.Id);
        await PublishToConsumersAsync(new EntityDeletedEvent<CustomerRole>(vip), AllConsumers);

        Assert.That(await CurrentMemberIdsAsync(vips.Id), Is.EqualTo(new[] { ann.Id }), "not rebuilt in the admin's request, nor beside the other rebuild");
        var run = (await Repository<SegmentRebuildRun>().Table.ToListAsync()).Single();
        Assert.That((run.SegmentId, run.StateId), Is.EqualTo((vips.Id, (int)SegmentRebuildRunState.Queued)));

        await leases.ReleaseAsync(CustomerSegmentsDefaults.RebuildLeaseName, OtherHolder);
        await WaitForRebuildRunsAsync();
        Assert.That((await Repository<SegmentRebuildRun>().GetByIdAsync(run.Id)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(await CurrentMemberIdsAsync(vips.Id), Is.Empty);
    }

    /// <summary>
    /// Starting the rebuilds fails (the database is away): logged, never thrown into nopCommerce's request
    /// </summary>
    [Test]
    public async Task AFailureToStartTheRebuildsIsLoggedNotThrown()
    {
        var runs = new Mock<ISegmentRebuildRunService>();
        runs.Setup(service => service.StartSegmentsReadingAsync(It.IsAny<RuleDataSources>())).ThrowsAsync(new InvalidOperationException("database away"));
        var customers = new CustomerEventConsumer(Logger.Object, PendingCustomers, ReevaluationService, runs.Object);
        var engagement = new EngagementEventConsumer(Logger.Object, PendingCustomers, ReevaluationService, runs.Object, Repository<Customer>());

        Assert.DoesNotThrowAsync(() => customers.HandleEventAsync(new EntityUpdatedEvent<CustomerRole>(new CustomerRole { Id = 1 })));
        Assert.DoesNotThrowAsync(() => customers.HandleEventAsync(new EntityDeletedEvent<CustomerRole>(new CustomerRole { Id = 1 })));
        Assert.DoesNotThrowAsync(() => engagement.HandleEventAsync(new EntityDeletedEvent<NewsLetterSubscriptionType>(new NewsLetterSubscriptionType { Id = 1 })));

        Logger.Verify(logger => logger.ErrorAsync(It.IsAny<string>(), It.Is<Exception>(exception => exception.Message == "database away"), It.IsAny<Customer>()),
            Times.Exactly(3));
        Assert.That(await Repository<SegmentRebuildRun>().Table.ToListAsync(), Is.Empty);
    }
}
