using System.Linq.Expressions;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Cms;
using Nop.Core.Domain.Discounts;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Components;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Discounts;
using Nop.Services.Localization;
using Nop.Services.ScheduleTasks;
using Nop.Services.Security;
using Nop.Web.Framework.Infrastructure;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

public class SegmentOffersTests
{
    private DiscountRuleHarness _h;
    private Mock<IDiscountService> _discountService;
    private Mock<ILocalizationService> _localizationService;
    private List<DiscountRequirement> _requirements;
    private List<Discount> _currentDiscounts;
    private readonly Nop.Core.Domain.Stores.Store _store = new() { Id = 1, Name = "Main store" };

    [SetUp]
    public async Task SetUp()
    {
        _h = new DiscountRuleHarness();
        _h.Settings.WidgetEnabled = true;
        _h.AddSegment(1, "Loyal", shopperMessage: "<b>10% off</b> for our \"loyal\" customers & friends");
        _h.AddSegment(2, "Big spenders", shopperMessage: "Free shipping");
        _h.AddSegment(3, "Expired offer", shopperMessage: "Old offer");
        _h.AddSegment(4, "No message");
        _h.AddSegment(5, "Excluded", shopperMessage: "Should not show");

        await _h.RequirementAsync(11, new SegmentRequirement { IncludeSegmentIds = [1, 4] });
        await _h.RequirementAsync(12, new SegmentRequirement { IncludeSegmentIds = [2] });
        await _h.RequirementAsync(13, new SegmentRequirement { IncludeSegmentIds = [3] });
        await _h.RequirementAsync(14, new SegmentRequirement { IncludeSegmentIds = [5], ExcludeSegmentIds = [1] });

        _discountService = new Mock<IDiscountService>();
        //discount 3 is not current (ended or inactive): nopCommerce's default query leaves it out
        _currentDiscounts = [new Discount { Id = 1 }, new Discount { Id = 2 }, new Discount { Id = 4 }];
        _discountService.Setup(d => d.GetAllDiscountsAsync(null, null, null, false, null, null, true, 0))
            .ReturnsAsync(() => _currentDiscounts.ToList());
        //nopCommerce's own check of the whole discount (its other requirements, its limitation): passed unless a test says otherwise
        _discountService.Setup(d => d.ValidateDiscountAsync(It.IsAny<Discount>(), It.IsAny<Nop.Core.Domain.Customers.Customer>(), It.IsAny<string[]>()))
            .ReturnsAsync(new DiscountValidationResult { IsValid = true });
        //the DiscountRequirement table, as a query reads it
        _requirements =
        [
            new DiscountRequirement { Id = 11, DiscountId = 1, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName },
            new DiscountRequirement { Id = 12, DiscountId = 2, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName },
            new DiscountRequirement { Id = 13, DiscountId = 3, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName },
            new DiscountRequirement { Id = 14, DiscountId = 4, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName },
            new DiscountRequirement { Id = 15, DiscountId = 2, DiscountRequirementRuleSystemName = "DiscountRequirement.MustBeAssignedToCustomerRole" }
        ];
        _discountService.Setup(d => d.GetAllDiscountRequirementsAsync(0, false))
            .ReturnsAsync(() => _requirements.Select(r => new DiscountRequirement
            {
                Id = r.Id, DiscountId = r.DiscountId, DiscountRequirementRuleSystemName = r.DiscountRequirementRuleSystemName, IsGroup = r.IsGroup
            }).ToList());

        _localizationService = new Mock<ILocalizationService>();
        _localizationService.Setup(l => l.GetLocalizedAsync(It.IsAny<Segment>(), It.IsAny<Expression<Func<Segment, string>>>(), It.IsAny<int?>(), It.IsAny<bool>(), It.IsAny<bool>()))
            .ReturnsAsync((Segment segment, Expression<Func<Segment, string>> selector, int? _, bool _, bool _) => selector.Compile()(segment));
    }

    private SegmentOffersModelFactory Factory()
    {
        var request = _h.NewRequest();

        return new SegmentOffersModelFactory(_h.Settings, _h.ActiveSegments, request.Reader, _h.CustomerService.Object, _discountService.Object,
            _localizationService.Object, new RuleRequirementReader(_discountService.Object, _h.StaticCache), request.Checker, _h.Store);
    }

    private static string[] Texts(Models.SegmentOffersModel model) => model.Messages.Select(m => m.ToString()).ToArray();

    private int DiscountRequirementReads =>
        _discountService.Invocations.Count(call => call.Method.Name == nameof(IDiscountService.GetAllDiscountRequirementsAsync));

    /// <summary>
    /// The database queries of the widget so far: the DiscountRequirement table, the segments, the memberships (the discounts,
    /// the requirements' settings, the customer's roles and the localized messages are in nopCommerce's own caches)
    /// </summary>
    private int Queries => DiscountRequirementReads + _h.SegmentReads + _h.MembershipReads;

    /// <summary>
    /// What nopCommerce's event publisher calls after it saved a discount requirement
    /// </summary>
    private DiscountRequirementCacheEventConsumer Consumer => new(_h.Invalidator);

    [Test]
    public async Task ShowsOnlyTheEncodedMessagesOfTheShoppersSegmentsThatUnlockACurrentDiscount()
    {
        var customer = _h.Registered(100, 1, 3, 4, 5);

        var model = await Factory().PrepareSegmentOffersModelAsync(customer, _store);

        Assert.That(Texts(model), Is.EqualTo(new[] { "&lt;b&gt;10% off&lt;/b&gt; for our &quot;loyal&quot; customers &amp; friends" }));
    }

    [Test]
    public async Task EachShopperSeesTheirOwnSegmentsMessages()
    {
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(100, 2), _store)), Is.EqualTo(new[] { "Free shipping" }));
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(101, 1, 2), _store)), Has.Length.EqualTo(2));
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(102, 5), _store)), Is.EqualTo(new[] { "Should not show" }));
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(103), _store)), Is.Empty);
    }

    /// <summary>
    /// A discount is advertised only when the shopper can get it as nopCommerce grants it: not one he used up, nor one
    /// whose other requirements he fails; its coupon code counted as entered (the segment's message may give it)
    /// </summary>
    [Test]
    public async Task OnlyADiscountTheShopperCanGetIsAdvertised()
    {
        var shopper = _h.Registered(100, 1, 2);
        _currentDiscounts.Single(discount => discount.Id == 2).CouponCode = "SHIP";
        _discountService.Setup(d => d.ValidateDiscountAsync(It.Is<Discount>(discount => discount.Id == 2), shopper, It.IsAny<string[]>()))
            .ReturnsAsync(new DiscountValidationResult { IsValid = false });

        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(shopper, _store)),
            Is.EqualTo(new[] { "&lt;b&gt;10% off&lt;/b&gt; for our &quot;loyal&quot; customers &amp; friends" }));
        _discountService.Verify(d => d.ValidateDiscountAsync(It.Is<Discount>(discount => discount.Id == 2), shopper,
            It.Is<string[]>(codes => codes.SequenceEqual(new[] { "SHIP" }))), Times.Once);
        _discountService.Verify(d => d.ValidateDiscountAsync(It.Is<Discount>(discount => discount.Id == 1), shopper,
            It.Is<string[]>(codes => codes.Length == 0)), Times.Once);
    }

    [Test]
    public async Task TheMessageIsTheLocalizedOne()
    {
        _localizationService.Setup(l => l.GetLocalizedAsync(It.Is<Segment>(s => s.Id == 2), It.IsAny<Expression<Func<Segment, string>>>(), It.IsAny<int?>(), It.IsAny<bool>(), It.IsAny<bool>()))
            .ReturnsAsync("Livraison <gratuite>");

        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(100, 2), _store)), Is.EqualTo(new[] { "Livraison &lt;gratuite&gt;" }));
    }

    [Test]
    public async Task NothingIsShownWhenTheWidgetIsOffOrForGuestsWhenGuestsAreNotSegmented()
    {
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Guest(100, 2), _store)), Is.Empty);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(null, _store)), Is.Empty);

        _h.Settings.WidgetEnabled = false;
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(101, 2), _store)), Is.Empty);
    }

    [Test]
    public async Task AGuestWhoCannotBeSegmentedCostsNoMembershipReadAndNoCacheEntry()
    {
        //every new visitor is a guest: with guests not segmented (the default) none of them can have an offer
        _h.Settings.IncludeGuests = false;
        for (var id = 1000; id < 1050; id++)
            Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Guest(id), _store)), Is.Empty);

        Assert.That(_h.MembershipReads, Is.Zero, "a membership query per visitor");
        Assert.That(_h.StaticCache.Entries.Keys, Is.Empty, "a static cache entry per visitor, kept for the cache time");
    }

    [Test]
    public async Task ASegmentLimitedToAnotherStoreShowsNothingThere()
    {
        _h.AddSegment(6, "Outlet regulars", shopperMessage: "Outlet: 20% off", storeId: 2);
        await _h.RequirementAsync(16, new SegmentRequirement { IncludeSegmentIds = [6] });
        _discountService.Setup(d => d.GetAllDiscountsAsync(null, null, null, false, null, null, true, 0))
            .ReturnsAsync([new Discount { Id = 6 }]);
        _discountService.Setup(d => d.GetAllDiscountRequirementsAsync(0, false)).ReturnsAsync(
            [new DiscountRequirement { Id = 16, DiscountId = 6, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName }]);

        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(100, 6), _store)), Is.Empty);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(100, 6), new Nop.Core.Domain.Stores.Store { Id = 2 })),
            Is.EqualTo(new[] { "Outlet: 20% off" }));
    }

    [Test]
    public async Task ARequirementGroupNamedLikeTheRuleUnlocksNothing()
    {
        _h.AddSegment(6, "Grouped", shopperMessage: "Group offer");
        //a configuration the form saved for the group before it refused groups
        await _h.RequirementAsync(17, new SegmentRequirement { IncludeSegmentIds = [6] });
        _discountService.Setup(d => d.GetAllDiscountsAsync(null, null, null, false, null, null, true, 0))
            .ReturnsAsync([new Discount { Id = 6 }]);
        _discountService.Setup(d => d.GetAllDiscountRequirementsAsync(0, false)).ReturnsAsync(
            [new DiscountRequirement { Id = 17, DiscountId = 6, IsGroup = true, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName }]);

        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(100, 6), _store)), Is.Empty);
    }

    [Test]
    public async Task AWarmRenderReadsNoSegment()
    {
        var customer = _h.Registered(100, 1, 2);
        var expected = new[] { "Free shipping", "&lt;b&gt;10% off&lt;/b&gt; for our &quot;loyal&quot; customers &amp; friends" };

        //two widget zones in one request, one in the next
        var firstRequest = Factory();
        Assert.That(Texts(await firstRequest.PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(expected));
        Assert.That(_h.SegmentReads, Is.EqualTo(1), "the cold render reads the active segments once");
        Assert.That(Texts(await firstRequest.PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(expected));
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(expected));

        Assert.That(_h.SegmentReads, Is.EqualTo(1), "warm renders read the segments from the static cache");
    }

    [Test]
    public async Task AWarmRenderQueriesNothing()
    {
        var customer = _h.Registered(100, 1, 2);

        var firstRequest = Factory();
        Assert.That(Texts(await firstRequest.PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(2));
        Assert.That(Queries, Is.EqualTo(3), "cold: the rule's requirements, the active segments, the customer's memberships");

        //another widget zone of the same request, then the next page
        Assert.That(Texts(await firstRequest.PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(2));
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(2));

        Assert.That(DiscountRequirementReads, Is.EqualTo(1), "the DiscountRequirement table is read once, not on every render");
        Assert.That(Queries, Is.EqualTo(3), "warm renders query nothing");

        //another shopper reads only his memberships
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(_h.Registered(101, 2), _store)), Is.EqualTo(new[] { "Free shipping" }));
        Assert.That(Queries, Is.EqualTo(4));
    }

    [Test]
    public async Task ARequirementAddedMovedOrDeletedShowsAtTheNextRender()
    {
        var customer = _h.Registered(100, 2, 3);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(new[] { "Free shipping" }));

        //added to the current discount 1: the segment of the expired discount 3 now unlocks an offer
        var added = new DiscountRequirement { Id = 16, DiscountId = 1, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName };
        _requirements.Add(added);
        await Consumer.HandleEventAsync(new EntityInsertedEvent<DiscountRequirement>(added));
        await _h.RequirementAsync(16, new SegmentRequirement { IncludeSegmentIds = [3] });
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(new[] { "Free shipping", "Old offer" }), "added");

        //moved to the expired discount
        added.DiscountId = 3;
        await Consumer.HandleEventAsync(new EntityUpdatedEvent<DiscountRequirement>(added));
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(new[] { "Free shipping" }), "updated");

        //deleted (its setting is still there: only the requirement is gone)
        var deleted = _requirements.Single(requirement => requirement.Id == 12);
        _requirements.Remove(deleted);
        await Consumer.HandleEventAsync(new EntityDeletedEvent<DiscountRequirement>(deleted));
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.Empty, "deleted");
    }

    [Test]
    public async Task ADiscountThatEndsOrARequirementReconfiguredShowsAtTheNextRender()
    {
        var customer = _h.Registered(100, 1, 2);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(2));

        //discount 2 ended or was deactivated: nopCommerce's GetAllDiscountsAsync (its own cache) leaves it out
        _currentDiscounts.RemoveAll(discount => discount.Id == 2);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(1), "discount ended");

        //the requirement of discount 1 now excludes Big spenders (its setting, in nopCommerce's setting cache)
        await _h.RequirementAsync(11, new SegmentRequirement { IncludeSegmentIds = [1, 4], ExcludeSegmentIds = [2] });
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.Empty, "requirement reconfigured");
    }

    [Test]
    public async Task ASegmentEditedDeactivatedOrDeletedShowsAtTheNextRender()
    {
        var customer = _h.Registered(100, 1, 2);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(2));

        await _h.UpdateSegmentAsync(2, segment => segment.ShopperMessage = "Free shipping, this week");
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Does.Contain("Free shipping, this week"), "message edited");

        await _h.UpdateSegmentAsync(2, segment => segment.StoreId = 2);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(1), "limited to another store");

        await _h.UpdateSegmentAsync(2, segment => segment.StoreId = 0);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(2), "back in all stores");

        await _h.UpdateSegmentAsync(2, segment => segment.Active = false);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Has.Length.EqualTo(1), "deactivated");

        await _h.DeleteSegmentAsync(1);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.Empty, "deleted");
    }

    [Test]
    public async Task AMembershipChangeShowsAtTheNextRender()
    {
        var customer = _h.Registered(100, 2);
        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(new[] { "Free shipping" }));

        //the customer left Big spenders and entered Excluded: the re-evaluation saves it, then invalidates
        _h.Memberships[100] = [5];
        await _h.Invalidator.CustomerMembershipChangedAsync(100);

        Assert.That(Texts(await Factory().PrepareSegmentOffersModelAsync(customer, _store)), Is.EqualTo(new[] { "Should not show" }));
    }

    [Test]
    public async Task ThePluginShowsTheWidgetInTheChosenZonesOnlyWhenEnabled()
    {
        var settings = new CustomerSegmentsSettings { WidgetZones = ["home_page_top", " productdetails_top ", ""] };
        var plugin = new CustomerSegmentsPlugin(settings, Mock.Of<ILanguageService>(), Mock.Of<ILocalizationService>(), Mock.Of<INopUrlHelper>(),
            Mock.Of<IPermissionService>(), Mock.Of<Nop.Data.IRepository<Nop.Core.Domain.Localization.LocalizedProperty>>(), Mock.Of<IScheduleTaskService>(), Mock.Of<ISegmentCacheInvalidator>(), Mock.Of<ISegmentDiscountRequirementCleaner>(),
            Mock.Of<ISegmentRequirementChecker>(), Mock.Of<Nop.Services.Configuration.ISettingService>(), Mock.Of<IStoreSegmentDeactivator>(), Mock.Of<IWebHelper>(), new WidgetSettings());

        Assert.That(await plugin.GetWidgetZonesAsync(), Is.EqualTo(new[] { AdminWidgetZones.CustomerDetailsBlock }));
        Assert.That(plugin.GetWidgetViewComponent("home_page_top"), Is.Null);

        settings.WidgetEnabled = true;
        Assert.That(await plugin.GetWidgetZonesAsync(), Is.EqualTo(new[] { AdminWidgetZones.CustomerDetailsBlock, "home_page_top", "productdetails_top" }));
        Assert.That(plugin.GetWidgetViewComponent("home_page_top"), Is.EqualTo(typeof(SegmentOffersViewComponent)));
        Assert.That(plugin.GetWidgetViewComponent("productdetails_top"), Is.EqualTo(typeof(SegmentOffersViewComponent)));
        Assert.That(plugin.GetWidgetViewComponent("footer"), Is.Null);
        Assert.That(plugin.GetWidgetViewComponent(AdminWidgetZones.CustomerDetailsBlock), Is.EqualTo(typeof(CustomerSegmentsCardViewComponent)));
    }
}
