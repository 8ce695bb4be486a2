using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

public class SegmentRequirementCheckerTests
{
    private DiscountRuleHarness _h;

    [SetUp]
    public void SetUp()
    {
        _h = new DiscountRuleHarness();
        _h.AddSegment(1, "Loyal");
        _h.AddSegment(2, "Big spenders");
        _h.AddSegment(3, "Fraud suspects");
    }

    [Test]
    public async Task IncludeAnyPassesWhenTheCustomerIsInOneOfTheSegments()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1, 2] });
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, _h.Registered(100, 2)), Is.True);
        Assert.That(await request.PassesAsync(requirement, _h.Registered(101, 1, 2)), Is.True);
        Assert.That(await request.PassesAsync(requirement, _h.Registered(102, 3)), Is.False);
        Assert.That(await request.PassesAsync(requirement, _h.Registered(103)), Is.False);
    }

    [Test]
    public async Task IncludeAllPassesOnlyWhenTheCustomerIsInEverySegment()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1, 2], RequireAll = true });
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, _h.Registered(100, 1, 2)), Is.True);
        Assert.That(await request.PassesAsync(requirement, _h.Registered(101, 1)), Is.False);
        Assert.That(await request.PassesAsync(requirement, _h.Registered(102, 2, 3)), Is.False);
    }

    [Test]
    public async Task AnExcludedSegmentWinsOverTheIncludedOnes()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1], ExcludeSegmentIds = [3] });
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, _h.Registered(100, 1)), Is.True);
        Assert.That(await request.PassesAsync(requirement, _h.Registered(101, 1, 3)), Is.False);
    }

    /// <summary>
    /// nopCommerce checks discounts while it computes a page's prices and does not catch: a read that fails refuses
    /// the discount and is logged, and the page goes on, even when the log fails too
    /// </summary>
    [Test]
    public async Task AReadThatFailsRefusesTheDiscountInsteadOfFailingThePage()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1] });
        var member = _h.Registered(100, 1);
        _h.SegmentRepository.Setup(r => r.Table).Throws(new TimeoutException("database timeout"));

        Assert.That(await _h.NewRequest().PassesAsync(requirement, member), Is.False);
        _h.Logger.Verify(l => l.ErrorAsync(It.Is<string>(message => message.Contains("database timeout")), It.IsAny<TimeoutException>(), member), Times.Once);

        _h.Logger.Setup(l => l.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>())).ThrowsAsync(new TimeoutException("log away"));
        Assert.That(await _h.NewRequest().PassesAsync(requirement, member), Is.False);
    }

    [Test]
    public void ACancelledCheckIsNotTakenForAFailure()
    {
        _h.SegmentRepository.Setup(r => r.Table).Throws(new OperationCanceledException());

        Assert.ThrowsAsync<OperationCanceledException>(async () =>
            await _h.NewRequest().PassesAsync(await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1] }), _h.Registered(100, 1)));
    }

    [Test]
    public async Task GuestsFailUnlessGuestsAreSegmented()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1] });
        var guest = _h.Guest(100, 1);

        _h.Settings.IncludeGuests = false;
        Assert.That(await _h.NewRequest().PassesAsync(requirement, guest), Is.False);

        _h.Settings.IncludeGuests = true;
        Assert.That(await _h.NewRequest().PassesAsync(requirement, guest), Is.True);
    }

    [Test]
    public async Task UnknownCustomersFail()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1] });
        _h.Settings.IncludeGuests = true;
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, null), Is.False);
        Assert.That(await request.PassesAsync(requirement, new Nop.Core.Domain.Customers.Customer { Id = 0 }), Is.False);
        var deleted = _h.Registered(100, 1);
        deleted.Deleted = true;
        Assert.That(await request.PassesAsync(requirement, deleted), Is.False);
        Assert.That(_h.MembershipReads, Is.Zero);
    }

    [Test]
    public async Task ASegmentLimitedToAStoreCountsOnlyInThatStore()
    {
        _h.AddSegment(7, "Outlet regulars", storeId: 2);
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [7] });
        var member = _h.Registered(100, 7);
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, member, new Store { Id = 2 }), Is.True);
        Assert.That(await request.PassesAsync(requirement, member, new Store { Id = 1 }), Is.False, "checking out in another store");
        Assert.That(await request.PassesAsync(requirement, member, null), Is.False, "no store known: only segments for all stores count");
    }

    [Test]
    public async Task ASegmentForAllStoresCountsInEveryStore()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1] });
        var member = _h.Registered(100, 1);
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, member, new Store { Id = 1 }), Is.True);
        Assert.That(await request.PassesAsync(requirement, member, new Store { Id = 2 }), Is.True);
        Assert.That(await request.PassesAsync(requirement, member, null), Is.True);
    }

    [Test]
    public async Task AnExcludedSegmentLimitedToAnotherStoreDoesNotExcludeThere()
    {
        _h.AddSegment(8, "Outlet returners", storeId: 2);
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1], ExcludeSegmentIds = [8] });
        var customer = _h.Registered(100, 1, 8);
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, customer, new Store { Id = 2 }), Is.False, "excluded in the store the segment belongs to");
        Assert.That(await request.PassesAsync(requirement, customer, new Store { Id = 1 }), Is.True, "the outlet's segment says nothing about the main store");
    }

    [Test]
    public async Task RequireAllCountsOnlyTheSegmentsOfTheStore()
    {
        _h.AddSegment(7, "Outlet regulars", storeId: 2);
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1, 7], RequireAll = true });
        var customer = _h.Registered(100, 1, 7);
        var request = _h.NewRequest();

        Assert.That(await request.PassesAsync(requirement, customer, new Store { Id = 2 }), Is.True);
        Assert.That(await request.PassesAsync(requirement, customer, new Store { Id = 1 }), Is.False, "one of the required segments does not count in this store");
    }

    [Test]
    public async Task ADeletedSegmentFailsClosed()
    {
        var anyOf = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1, 2] });
        var excluding = await _h.RequirementAsync(11, new SegmentRequirement { IncludeSegmentIds = [1], ExcludeSegmentIds = [3] });
        var customer = _h.Registered(100, 1);
        Assert.That(await _h.NewRequest().PassesAsync(anyOf, customer), Is.True);
        Assert.That(await _h.NewRequest().PassesAsync(excluding, customer), Is.True);

        await _h.DeleteSegmentAsync(2, 3);

        Assert.That(await _h.NewRequest().PassesAsync(anyOf, customer), Is.False);
        Assert.That(await _h.NewRequest().PassesAsync(excluding, customer), Is.False);
    }

    [Test]
    public async Task AnInactiveSegmentFailsClosed()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1, 2] });
        var customer = _h.Registered(100, 1);
        _h.Segments.Single(segment => segment.Id == 2).Active = false;

        Assert.That(await _h.NewRequest().PassesAsync(requirement, customer), Is.False);
    }

    [Test]
    public async Task ARequirementWithoutConfigurationFails()
    {
        var customer = _h.Registered(100, 1);
        _h.SavedSettings[SegmentRequirementStore.SettingKey(12)] = "not json";

        Assert.That(await _h.NewRequest().PassesAsync(99, customer), Is.False);
        Assert.That(await _h.NewRequest().PassesAsync(12, customer), Is.False);
    }

    [Test]
    public async Task ManyDiscountChecksInOneRequestReadTheMembershipsOnce()
    {
        var requirements = new List<int>();
        for (var i = 1; i <= 25; i++)
            requirements.Add(await _h.RequirementAsync(i, new SegmentRequirement { IncludeSegmentIds = [1 + i % 2] }));
        var customer = _h.Registered(100, 1, 2);

        var request = _h.NewRequest();
        foreach (var requirement in requirements)
            Assert.That(await request.PassesAsync(requirement, customer), Is.True);

        Assert.That(_h.MembershipReads, Is.EqualTo(1));

        //the next request finds them in the static cache
        var next = _h.NewRequest();
        foreach (var requirement in requirements)
            Assert.That(await next.PassesAsync(requirement, customer), Is.True);

        Assert.That(_h.MembershipReads, Is.EqualTo(1));
    }

    /// <summary>
    /// The cached memberships (the static cache holds the active segments too)
    /// </summary>
    private string[] MembershipKeys() =>
        _h.StaticCache.Entries.Keys.Where(key => key.StartsWith(CustomerSegmentsCacheDefaults.CustomerSegmentIdsPrefix, StringComparison.Ordinal)).ToArray();

    [Test]
    public async Task AMembershipChangeRemovesTheCustomersKeySoTheNextRequestSeesIt()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1] });
        var customer = _h.Registered(100, 1);
        var other = _h.Registered(200, 1);
        Assert.That(await _h.NewRequest().PassesAsync(requirement, customer), Is.True);
        Assert.That(await _h.NewRequest().PassesAsync(requirement, other), Is.True);

        //the customer leaves the segment; without invalidation the cached membership still answers
        _h.Memberships[100] = [];
        Assert.That(await _h.NewRequest().PassesAsync(requirement, customer), Is.True);

        await _h.Invalidator.CustomerMembershipChangedAsync(100);

        Assert.That(MembershipKeys(), Is.EquivalentTo(new[] { $"{CustomerSegmentsCacheDefaults.CustomerSegmentIdsPrefix}200" }));
        Assert.That(await _h.NewRequest().PassesAsync(requirement, customer), Is.False);
        Assert.That(await _h.NewRequest().PassesAsync(requirement, other), Is.True);
        Assert.That(_h.MembershipReads, Is.EqualTo(3));
    }

    [Test]
    public async Task AFullRebuildRemovesEveryCustomersKey()
    {
        var requirement = await _h.RequirementAsync(10, new SegmentRequirement { IncludeSegmentIds = [1] });
        var first = _h.Registered(100);
        var second = _h.Registered(200);
        Assert.That(await _h.NewRequest().PassesAsync(requirement, first), Is.False);
        Assert.That(await _h.NewRequest().PassesAsync(requirement, second), Is.False);

        _h.Memberships[100] = [1];
        _h.Memberships[200] = [1];
        await _h.Invalidator.AllMembershipsChangedAsync();

        Assert.That(MembershipKeys(), Is.Empty);
        Assert.That(await _h.NewRequest().PassesAsync(requirement, first), Is.True);
        Assert.That(await _h.NewRequest().PassesAsync(requirement, second), Is.True);
    }

    [Test]
    public async Task ChangesOfManyCustomersAtOnceRemoveEachKey()
    {
        _h.StaticCache.Entries[$"{CustomerSegmentsCacheDefaults.CustomerSegmentIdsPrefix}1"] = new[] { 1 };
        _h.StaticCache.Entries[$"{CustomerSegmentsCacheDefaults.CustomerSegmentIdsPrefix}2"] = new[] { 1 };
        _h.StaticCache.Entries[$"{CustomerSegmentsCacheDefaults.CustomerSegmentIdsPrefix}3"] = new[] { 1 };

        await _h.Invalidator.CustomersMembershipChangedAsync([1, 3, 3]);

        Assert.That(_h.StaticCache.Entries.Keys, Is.EquivalentTo(new[] { $"{CustomerSegmentsCacheDefaults.CustomerSegmentIdsPrefix}2" }));
    }
}
