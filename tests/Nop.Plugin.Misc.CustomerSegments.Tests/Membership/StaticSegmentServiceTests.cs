using System.Text;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

public class StaticSegmentServiceTests : MembershipTestBase
{
    public StaticSegmentServiceTests(DatabaseEngine engine) : base(engine)
    {
    }

    private static MemoryStream Csv(string text, bool bom = false) =>
        new((bom ? Encoding.UTF8.GetPreamble() : []).Concat(Encoding.UTF8.GetBytes(text)).ToArray());

    [Test]
    public async Task AddRemoveAndAddBackKeepsHistory()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        var segment = await SegmentAsync("Manual", null, SegmentType.Static);

        Assert.That(await StaticService.AddCustomersAsync(segment, [ann.Id, bob.Id, ann.Id, 987_654]), Is.EqualTo(2));
        Assert.That(await StaticService.AddCustomersAsync(segment, [ann.Id]), Is.EqualTo(0), "already a member");
        Assert.That(await StaticService.RemoveCustomersAsync(segment, [ann.Id]), Is.EqualTo(1));
        Assert.That(await StaticService.RemoveCustomersAsync(segment, [ann.Id]), Is.EqualTo(0));
        Assert.That(await StaticService.AddCustomersAsync(segment, [ann.Id]), Is.EqualTo(1));

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        var annRows = (await RowsAsync(segment.Id)).Where(row => row.CustomerId == ann.Id).ToList();
        Assert.That(annRows, Has.Count.EqualTo(2));
        Assert.That(annRows[0].LeftOnUtc, Is.Not.Null);
        Assert.That(annRows[1].LeftOnUtc, Is.Null);
    }

    [Test]
    public async Task DynamicSegmentsAreNotEditedByHand()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segment = await SegmentAsync("Dynamic", Json(Company("Acme")));
        Assert.ThrowsAsync<InvalidOperationException>(() => StaticService.AddCustomersAsync(segment, [ann.Id]));
        Assert.That(await RowsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task AHandEditReachesSegmentsThatReferenceTheStaticSegment()
    {
        var ann = await CustomerAsync("ann@example.com");
        var manual = await SegmentAsync("Manual", null, SegmentType.Static);
        var dependent = await SegmentAsync("In manual", Json(MemberOf(manual.Id)));

        await StaticService.AddCustomersAsync(manual, [ann.Id]);
        Assert.That(await CurrentMemberIdsAsync(dependent.Id), Is.EqualTo(new[] { ann.Id }));

        await StaticService.RemoveCustomersAsync(manual, [ann.Id]);
        Assert.That(await CurrentMemberIdsAsync(dependent.Id), Is.Empty);
    }

    [Test]
    public async Task ImportAddsKnownEmailsAndReportsUnknownOnesAndBadRows()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("Bob@Example.com");
        var cid = await CustomerAsync("cid@example.com");
        var segment = await SegmentAsync("Imported", null, SegmentType.Static);
        await StaticService.AddCustomersAsync(segment, [cid.Id]);

        var csv = "Name;Email\n" +
                  "Ann;ann@example.com\n" +
                  "\"Bob; the builder\";\"bob@example.com\"\n" +
                  "Nobody;nobody@example.com\n" +
                  "Broken;not-an-email\n" +
                  "Cid;cid@example.com\n" +
                  "\n" +
                  "Ann again;ANN@example.com\n";

        var result = await StaticService.ImportEmailsAsync(segment, Csv(csv, bom: true));

        Assert.That(result.Added, Is.EqualTo(2));
        Assert.That(result.AlreadyMembers, Is.EqualTo(1));
        Assert.That(result.UnknownEmails, Is.EqualTo(new[] { "nobody@example.com" }));
        Assert.That(result.BadRows.Select(row => row.LineNumber), Is.EqualTo(new[] { 5 }));
        Assert.That(result.Truncated, Is.False);
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id, bob.Id, cid.Id }.Order()));
    }

    /// <summary>
    /// System accounts (nopCommerce's search engine and background task accounts have emails) are never members:
    /// an import naming one adds nobody, as for a deleted customer
    /// </summary>
    [Test]
    public async Task ImportNeverAddsASystemAccount()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bot = await CustomerAsync("builtin@search_engine_record.com");
        bot.IsSystemAccount = true;
        await Repository<Nop.Core.Domain.Customers.Customer>().UpdateAsync(bot, false);
        var segment = await SegmentAsync("Imported", null, SegmentType.Static);

        var result = await StaticService.ImportEmailsAsync(segment, Csv("email\nann@example.com\nbuiltin@search_engine_record.com\n"));

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }), "the search engine account became a member");
        Assert.That(result.Added, Is.EqualTo(1));
    }
}
