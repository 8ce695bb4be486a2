using System.Linq.Expressions;
using Moq;
using Nop.Core.Domain.Localization;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Localization;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

public class SegmentCopyServiceTests : MembershipTestBase
{
    private Mock<ILocalizedEntityService> _localizedEntityService;

    public SegmentCopyServiceTests(DatabaseEngine engine) : base(engine)
    {
    }

    private SegmentCopyService CopyService()
    {
        _localizedEntityService = new Mock<ILocalizedEntityService>();
        return new SegmentCopyService(_localizedEntityService.Object, DataProvider, Repository<LocalizedProperty>(), Repository<SegmentMembership>(), SegmentService);
    }

    [Test]
    public async Task ADynamicCopyHasTheRuleAndStartsInactiveWithoutMembers()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));
        segment.Description = "Customers of Acme";
        segment.ShopperMessage = "Hello Acme";
        segment.StoreId = 0;
        await SegmentService.UpdateSegmentAsync(segment);
        await RebuildService.RebuildSegmentAsync(segment);

        var copy = await CopyService().CopySegmentAsync(segment, "  Acme, tried again ");

        var stored = await SegmentService.GetSegmentByIdAsync(copy.Id);
        Assert.That(stored.Id, Is.Not.EqualTo(segment.Id));
        Assert.That((stored.Name, stored.Description, stored.ShopperMessage, stored.SegmentTypeId, stored.RuleJson, stored.StoreId, stored.Active),
            Is.EqualTo(("Acme, tried again", "Customers of Acme", "Hello Acme", (int)SegmentType.Dynamic, segment.RuleJson, 0, false)));
        Assert.That(await RowsAsync(copy.Id), Is.Empty, "a dynamic copy is built from its rule once activated");
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }), "the segment copied keeps its members");
    }

    [Test]
    public async Task AStaticCopyHasTheCurrentMembersOnly()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        var cid = await CustomerAsync("cid@example.com");
        var segment = await SegmentAsync("Manual", null, SegmentType.Static);
        await StaticService.AddCustomersAsync(segment, [ann.Id, bob.Id, cid.Id]);
        await StaticService.RemoveCustomersAsync(segment, [bob.Id]);
        var other = await SegmentAsync("Other", null, SegmentType.Static);
        await StaticService.AddCustomersAsync(other, [bob.Id]);

        var before = DateTime.UtcNow.AddSeconds(-1);
        var copy = await CopyService().CopySegmentAsync(segment, "Manual 2");

        var rows = await RowsAsync(copy.Id);
        Assert.That(rows.Select(row => row.CustomerId).Order(), Is.EqualTo(new[] { ann.Id, cid.Id }.Order()), "bob left the segment before it was copied");
        Assert.That(rows.All(row => row.LeftOnUtc == null && row.EnteredOnUtc >= before), Is.True, "the copy's history starts with it");
        Assert.That((await SegmentService.GetSegmentByIdAsync(copy.Id)).Active, Is.False);
        Assert.That((await RowsAsync(segment.Id)).Count, Is.EqualTo(3), "the segment copied keeps its history");
    }

    [Test]
    public async Task TheShopperMessagesInOtherLanguagesAreCopied()
    {
        var segment = await SegmentAsync("Manual", null, SegmentType.Static);
        var other = await SegmentAsync("Other", null, SegmentType.Static);
        await Repository<LocalizedProperty>().InsertAsync(new List<LocalizedProperty>
        {
            new() { EntityId = segment.Id, LocaleKeyGroup = nameof(Segment), LocaleKey = nameof(Segment.ShopperMessage), LanguageId = 2, LocaleValue = "Hallo" },
            new() { EntityId = segment.Id, LocaleKeyGroup = nameof(Segment), LocaleKey = nameof(Segment.ShopperMessage), LanguageId = 3, LocaleValue = "Bonjour" },
            new() { EntityId = other.Id, LocaleKeyGroup = nameof(Segment), LocaleKey = nameof(Segment.ShopperMessage), LanguageId = 2, LocaleValue = "Not this one" },
            new() { EntityId = segment.Id, LocaleKeyGroup = "Product", LocaleKey = nameof(Segment.ShopperMessage), LanguageId = 2, LocaleValue = "Nor this one" }
        });

        var service = CopyService();
        var saved = new List<(int EntityId, string Value, int LanguageId)>();
        _localizedEntityService
            .Setup(localized => localized.SaveLocalizedValueAsync(It.IsAny<Segment>(), It.IsAny<Expression<Func<Segment, string>>>(), It.IsAny<string>(), It.IsAny<int>()))
            .Callback((Segment entity, Expression<Func<Segment, string>> key, string value, int languageId) =>
            {
                Assert.That(((MemberExpression)key.Body).Member.Name, Is.EqualTo(nameof(Segment.ShopperMessage)));
                saved.Add((entity.Id, value, languageId));
            })
            .Returns(Task.CompletedTask);

        var copy = await service.CopySegmentAsync(segment, "Manual 2");

        Assert.That(saved.OrderBy(item => item.LanguageId), Is.EqualTo(new[] { (copy.Id, "Hallo", 2), (copy.Id, "Bonjour", 3) }));
    }

    [Test]
    public async Task ASegmentWhoseRuleNoLongerValidatesIsNotCopied()
    {
        var named = await SegmentAsync("Named", Json(Company("Acme")));
        var segment = await SegmentAsync("Naming", Json(MemberOf(named.Id)));
        //the segment named is gone since (as after an upgrade or an edit in the database): the stored rule names nothing
        await Repository<Segment>().DeleteAsync(named);

        Assert.ThrowsAsync<SegmentRuleValidationException>(() => CopyService().CopySegmentAsync(segment, "Naming 2"));

        Assert.That((await SegmentService.GetAllSegmentsAsync()).Select(item => item.Name), Is.EqualTo(new[] { "Naming" }));
    }
}
