using Moq;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// Rebuild, add and remove on real databases; the rule engine is replaced by a query over real customers
/// </summary>
public class SegmentMembershipWriterTests : DatabaseTestBase
{
    private AdminTestData _data;
    private Mock<ISegmentRuleQueryBuilder> _queryBuilder;
    private Mock<ISegmentRuleSerializer> _serializer;
    private Mock<ISegmentRuleValidator> _validator;
    private Mock<ISegmentService> _segmentService;
    private SegmentRule _rule;

    public SegmentMembershipWriterTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();
        _data = new AdminTestData(Shop);
    }

    [SetUp]
    public void SetUp()
    {
        _rule = new SegmentRule();
        _serializer = new Mock<ISegmentRuleSerializer>();
        _serializer.Setup(s => s.Parse("{rule}")).Returns(new RuleParseResult(_rule, []));
        _validator = new Mock<ISegmentRuleValidator>();
        _validator.Setup(v => v.ValidateAsync(_rule, It.IsAny<int>())).ReturnsAsync(Array.Empty<RuleValidationError>());
        _queryBuilder = new Mock<ISegmentRuleQueryBuilder>();
        _segmentService = new Mock<ISegmentService>();
    }

    private SegmentMembershipWriter Writer() => new(Repository<Customer>(), DataProvider, Repository<SegmentMembership>(), _queryBuilder.Object,
        _serializer.Object, _validator.Object, _segmentService.Object);

    private List<SegmentMembership> Memberships(int segmentId) =>
        Repository<SegmentMembership>().Table.Where(m => m.SegmentId == segmentId).OrderBy(m => m.Id).ToList();

    [Test]
    public async Task RebuildOpensStaysForNewMatchesAndClosesThoseThatNoLongerMatch()
    {
        var segment = await _data.SegmentAsync("Gmail", SegmentType.Dynamic);
        segment.RuleJson = "{rule}";
        var stays = await _data.CustomerAsync("stays@gmail.test");
        var goes = await _data.CustomerAsync("goes@yahoo.test");
        var comes = await _data.CustomerAsync("comes@gmail.test");
        await _data.CustomerAsync("never@yahoo.test");
        var entered = new DateTime(2026, 1, 1);
        await _data.MembershipAsync(segment.Id, stays.Id, entered);
        await _data.MembershipAsync(segment.Id, goes.Id, entered);
        //an old stay of the newcomer stays closed: a new stay opens
        await _data.MembershipAsync(segment.Id, comes.Id, new DateTime(2025, 1, 1), new DateTime(2025, 2, 1));
        _queryBuilder.Setup(b => b.BuildMatchingCustomerIdsQueryAsync(_rule, segment.StoreId, It.IsAny<DateTime>()))
            .ReturnsAsync(() => Repository<Customer>().Table.Where(c => c.Email.EndsWith("@gmail.test")).Select(c => c.Id));

        var members = await Writer().RebuildSegmentAsync(segment);

        Assert.That(members, Is.EqualTo(2));
        var rows = Memberships(segment.Id);
        Assert.That(rows.Single(r => r.CustomerId == stays.Id).LeftOnUtc, Is.Null, "a stay that still matches is kept as it was");
        Assert.That(rows.Single(r => r.CustomerId == stays.Id).EnteredOnUtc, Is.EqualTo(entered));
        Assert.That(rows.Single(r => r.CustomerId == goes.Id).LeftOnUtc, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(rows.Count(r => r.CustomerId == comes.Id), Is.EqualTo(2));
        Assert.That(rows.Single(r => r.CustomerId == comes.Id && r.LeftOnUtc == null).EnteredOnUtc, Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(segment.LastRebuiltOnUtc, Is.Not.Null);
        _segmentService.Verify(s => s.UpdateSegmentAsync(segment));

        //a second rebuild with nothing changed changes nothing
        var again = await Writer().RebuildSegmentAsync(segment);

        Assert.That(again, Is.EqualTo(2));
        Assert.That(Memberships(segment.Id), Has.Count.EqualTo(rows.Count));
    }

    [Test]
    public async Task AnInvalidRuleLeavesMembershipAlone()
    {
        var segment = await _data.SegmentAsync("Broken", SegmentType.Dynamic);
        segment.RuleJson = "{broken}";
        var customer = await _data.CustomerAsync("member@broken.test");
        await _data.MembershipAsync(segment.Id, customer.Id, new DateTime(2026, 1, 1));
        _serializer.Setup(s => s.Parse("{broken}")).Returns(new RuleParseResult(null, [new RuleValidationError("", "k", "Malformed")]));

        Assert.ThrowsAsync<InvalidOperationException>(() => Writer().RebuildSegmentAsync(segment));

        Assert.That(Memberships(segment.Id).Single().LeftOnUtc, Is.Null);
        _queryBuilder.VerifyNoOtherCalls();
    }

    [Test]
    public async Task StaticSegmentsGainAndLoseCustomersByHandKeepingHistory()
    {
        var segment = await _data.SegmentAsync("Picked", SegmentType.Static);
        var a = await _data.CustomerAsync("a@picked.test");
        var b = await _data.CustomerAsync("b@picked.test");
        var c = await _data.CustomerAsync("c@picked.test");
        var writer = Writer();

        var added = await writer.AddCustomersAsync(segment, [a.Id, b.Id, b.Id, 999999]);
        var addedAgain = await writer.AddCustomersAsync(segment, [a.Id, c.Id]);
        var removed = await writer.RemoveCustomersAsync(segment, [a.Id, 999999]);
        var removedAgain = await writer.RemoveCustomersAsync(segment, [a.Id]);

        Assert.That(added, Is.EqualTo(2));
        Assert.That(addedAgain, Is.EqualTo(1));
        Assert.That(removed, Is.EqualTo(1));
        Assert.That(removedAgain, Is.Zero);
        var rows = Memberships(segment.Id);
        Assert.That(rows.Where(r => r.LeftOnUtc == null).Select(r => r.CustomerId), Is.EquivalentTo(new[] { b.Id, c.Id }));
        Assert.That(rows.Single(r => r.CustomerId == a.Id).LeftOnUtc, Is.Not.Null, "the stay is closed, not deleted");
    }

    [Test]
    public async Task HandEditsAreForStaticSegmentsAndRebuildsForDynamicOnes()
    {
        var dynamicSegment = await _data.SegmentAsync("Rule", SegmentType.Dynamic);
        var staticSegment = await _data.SegmentAsync("Hand", SegmentType.Static);

        Assert.ThrowsAsync<InvalidOperationException>(() => Writer().AddCustomersAsync(dynamicSegment, [1]));
        Assert.ThrowsAsync<InvalidOperationException>(() => Writer().RemoveCustomersAsync(dynamicSegment, [1]));
        Assert.ThrowsAsync<InvalidOperationException>(() => Writer().RebuildSegmentAsync(staticSegment));
    }
}
