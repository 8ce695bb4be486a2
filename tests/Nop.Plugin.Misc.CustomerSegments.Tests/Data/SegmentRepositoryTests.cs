using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Data;

public class SegmentRepositoryTests : DatabaseTestBase
{
    private static readonly DateTime _created = new(2026, 3, 14, 9, 26, 53, DateTimeKind.Utc);

    public SegmentRepositoryTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public async Task ClearAsync()
    {
        await Repository<SegmentMembership>().TruncateAsync(resetIdentity: true);
        await Repository<Segment>().TruncateAsync(resetIdentity: true);
        while (Shop.Events.TryDequeue(out _))
        {
        }
    }

    private static Segment NewSegment(string name, bool active = true, int storeId = 0) => new()
    {
        Name = name,
        Description = $"{name} description: ünïcödé ✓",
        SegmentTypeId = (int)SegmentType.Dynamic,
        RuleJson = """{"all":[{"field":"Customer.Active","operator":"eq","value":true}]}""",
        RuleSchemaVersion = 1,
        Active = active,
        StoreId = storeId,
        CreatedOnUtc = _created,
        UpdatedOnUtc = _created.AddMinutes(5)
    };

    [Test]
    public async Task NamesAndTextsKeepFourByteCharacters()
    {
        //MySQL/MariaDB store them only in utf8mb4 columns
        var segment = NewSegment("VIP \U0001F451 \U00020BB7");
        segment.Description = "Emoji \U0001F600 and a rare ideograph \U00020BB7";
        segment.ShopperMessage = "\U0001F381 A gift for you";

        await Repository<Segment>().InsertAsync(segment);

        var loaded = await Repository<Segment>().GetByIdAsync(segment.Id);
        Assert.That(loaded.Name, Is.EqualTo(segment.Name));
        Assert.That(loaded.Description, Is.EqualTo(segment.Description));
        Assert.That(loaded.ShopperMessage, Is.EqualTo(segment.ShopperMessage));
        Assert.That(await Repository<Segment>().Table.CountAsync(item => item.Name == segment.Name), Is.EqualTo(1));
    }

    [Test]
    public async Task InsertSetsIdAndTheRowReadsBackUnchanged()
    {
        var repository = Repository<Segment>();
        var first = NewSegment("First");
        var second = NewSegment("Second");

        await repository.InsertAsync(first);
        await repository.InsertAsync(second);

        Assert.That(first.Id, Is.GreaterThan(0));
        Assert.That(second.Id, Is.GreaterThan(first.Id));

        var loaded = await repository.GetByIdAsync(first.Id);
        Assert.That(loaded, Is.Not.Null.And.Not.SameAs(first));
        Assert.That(loaded.Name, Is.EqualTo("First"));
        Assert.That(loaded.Description, Is.EqualTo(first.Description));
        Assert.That(loaded.SegmentTypeId, Is.EqualTo((int)SegmentType.Dynamic));
        Assert.That(loaded.RuleJson, Is.EqualTo(first.RuleJson));
        Assert.That(loaded.RuleSchemaVersion, Is.EqualTo(1));
        Assert.That(loaded.Active, Is.True);
        Assert.That(loaded.CreatedOnUtc, Is.EqualTo(_created));
        Assert.That(loaded.UpdatedOnUtc, Is.EqualTo(_created.AddMinutes(5)));
        Assert.That(loaded.LastRebuiltOnUtc, Is.Null);
    }

    [Test]
    public async Task UpdateChangesTheRow()
    {
        var repository = Repository<Segment>();
        var segment = NewSegment("Before");
        await repository.InsertAsync(segment);

        segment.Name = "After";
        segment.Active = false;
        segment.LastRebuiltOnUtc = _created.AddDays(1);
        await repository.UpdateAsync(segment);

        var loaded = await repository.GetByIdAsync(segment.Id);
        Assert.That(loaded.Name, Is.EqualTo("After"));
        Assert.That(loaded.Active, Is.False);
        Assert.That(loaded.LastRebuiltOnUtc, Is.EqualTo(_created.AddDays(1)));
        Assert.That(await repository.Table.CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task DeleteRemovesTheRow()
    {
        var repository = Repository<Segment>();
        var kept = NewSegment("Kept");
        var deleted = NewSegment("Deleted");
        await repository.InsertAsync(kept);
        await repository.InsertAsync(deleted);

        await repository.DeleteAsync(deleted);

        Assert.That(await repository.GetByIdAsync(deleted.Id), Is.Null);
        Assert.That(await repository.GetByIdAsync(kept.Id), Is.Not.Null);
    }

    [Test]
    public async Task TableComposesFiltersAndOrderingInTheDatabase()
    {
        var repository = Repository<Segment>();
        foreach (var (name, active, store) in new[] { ("Gold", true, 1), ("Silver", false, 1), ("Bronze", true, 2), ("Lapsed", true, 1) })
            await repository.InsertAsync(NewSegment(name, active, store));

        var storeOneActive = await repository.Table
            .Where(s => s.Active && s.StoreId == 1)
            .OrderBy(s => s.Name)
            .Select(s => s.Name)
            .ToListAsync();

        Assert.That(storeOneActive, Is.EqualTo(new[] { "Gold", "Lapsed" }));
        Assert.That(await repository.Table.CountAsync(s => s.Name.StartsWith("S")), Is.EqualTo(1));
    }

    [Test]
    public async Task PagedQueryReturnsThePageAndTheTotal()
    {
        var repository = Repository<Segment>();
        for (var i = 1; i <= 7; i++)
            await repository.InsertAsync(NewSegment($"Segment {i:00}"));

        var page = await repository.GetAllPagedAsync(query => query.OrderBy(s => s.Name), pageIndex: 1, pageSize: 3);

        Assert.That(page.Select(s => s.Name), Is.EqualTo(new[] { "Segment 04", "Segment 05", "Segment 06" }));
        Assert.That(page.TotalCount, Is.EqualTo(7));
        Assert.That(page.TotalPages, Is.EqualTo(3));
        Assert.That(page.HasNextPage, Is.True);

        var countOnly = await repository.GetAllPagedAsync(query => query, 0, 3, getOnlyTotalCount: true);
        Assert.That(countOnly, Is.Empty);
        Assert.That(countOnly.TotalCount, Is.EqualTo(7));
    }

    [Test]
    public async Task GetByIdsKeepsTheOrderOfTheIds()
    {
        var repository = Repository<Segment>();
        var segments = Enumerable.Range(1, 4).Select(i => NewSegment($"S{i}")).ToList();
        foreach (var segment in segments)
            await repository.InsertAsync(segment);

        var loaded = await repository.GetByIdsAsync([segments[3].Id, segments[0].Id, 999_999, segments[2].Id]);

        Assert.That(loaded.Select(s => s.Name), Is.EqualTo(new[] { "S4", "S1", "S3" }));
    }

    [Test]
    public async Task WritesPublishEntityEventsUnlessAskedNotTo()
    {
        var repository = Repository<Segment>();
        var segment = NewSegment("Evented");

        await repository.InsertAsync(segment);
        await repository.UpdateAsync(segment);
        await repository.UpdateAsync(segment, publishEvent: false);
        await repository.DeleteAsync(segment);

        Assert.That(Shop.Events.Select(e => e.Kind),
            Is.EqualTo(new[] { EntityEventKind.Inserted, EntityEventKind.Updated, EntityEventKind.Deleted }));
        Assert.That(Shop.Events.All(e => ReferenceEquals(e.Entity, segment)), Is.True);
    }

    [Test]
    public async Task MembershipRoundTripWithBulkInsertAndDeleteByPredicate()
    {
        var segments = Repository<Segment>();
        var memberships = Repository<SegmentMembership>();
        var segment = NewSegment("Members");
        await segments.InsertAsync(segment);

        var rows = Enumerable.Range(1, 25).Select(customerId => new SegmentMembership
        {
            SegmentId = segment.Id,
            CustomerId = customerId,
            EnteredOnUtc = _created,
            LeftOnUtc = customerId % 5 == 0 ? _created.AddHours(customerId) : null
        }).ToList();

        await memberships.InsertAsync(rows);

        Assert.That(rows.Select(r => r.Id), Is.All.GreaterThan(0));
        Assert.That(rows.Select(r => r.Id), Is.Unique);
        Assert.That(await memberships.Table.CountAsync(), Is.EqualTo(25));

        var loaded = await memberships.GetByIdAsync(rows[9].Id);
        Assert.That(loaded.CustomerId, Is.EqualTo(10));
        Assert.That(loaded.LeftOnUtc, Is.EqualTo(_created.AddHours(10)));

        var current = await memberships.Table
            .Where(m => m.SegmentId == segment.Id && m.LeftOnUtc == null)
            .CountAsync();
        Assert.That(current, Is.EqualTo(20));

        var removed = await memberships.DeleteAsync(m => m.LeftOnUtc != null);
        Assert.That(removed, Is.EqualTo(5));
        Assert.That(await memberships.Table.CountAsync(), Is.EqualTo(20));

        //the identity goes on after a bulk insert
        var next = new SegmentMembership { SegmentId = segment.Id, CustomerId = 100, EnteredOnUtc = _created };
        await memberships.InsertAsync(next);
        Assert.That(next.Id, Is.GreaterThan(rows.Max(r => r.Id)));
    }

    [Test]
    public async Task TruncateEmptiesTheTable()
    {
        var repository = Repository<Segment>();
        await repository.InsertAsync(NewSegment("One"));
        await repository.InsertAsync(NewSegment("Two"));

        await repository.TruncateAsync(resetIdentity: true);

        Assert.That(await repository.Table.AnyAsync(), Is.False);
    }
}
