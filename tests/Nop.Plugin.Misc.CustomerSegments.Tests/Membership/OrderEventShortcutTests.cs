using Moq;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The shortcuts of the per-customer update after order events: the active segments come from the static cache
/// (dropped whenever a segment is saved or deleted), and segments that read the orders only through the order
/// statistics are left alone when the customer's statistics did not change
/// </summary>
public class OrderEventShortcutTests : MembershipTestBase
{
    public OrderEventShortcutTests(DatabaseEngine engine) : base(engine)
    {
    }

    private bool SegmentsCached => StaticCache.Entries.ContainsKey(CustomerSegmentsCacheDefaults.ActiveDynamicSegmentsCacheKey.Key);

    /// <summary>
    /// Every segment's current members against the customers its rule matches now (what a full rebuild writes)
    /// </summary>
    private async Task AssertMembersAsFullRebuildAsync(string step, params Segment[] segments)
    {
        var queries = NewQueryBuilder();
        foreach (var segment in segments)
        {
            var rule = Serializer.Parse(segment.RuleJson).Rule;
            var matching = (await (await queries.BuildMatchingCustomerIdsQueryAsync(rule, segment.StoreId, DateTime.UtcNow)).ToListAsync()).Order().ToArray();
            Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(matching), $"{step}: {segment.Name}");
        }
    }

    private void AssertNoFailure() =>
        Logger.Verify(logger => logger.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), null), Times.Never);

    [Test]
    public async Task TheNextOrderEventSeesSegmentsAddedEditedDeactivatedAndDeletedDespiteTheCache()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var doomed = await SegmentAsync("Doomed", Json(OrdersAtLeast(1)));

        var first = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(first));
        Assert.That(SegmentsCached, Is.True, "the event filled the cache");
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(doomed.Id), Is.EqualTo(new[] { ann.Id }));

        //added after the cache was filled
        var regulars = await SegmentAsync("Regulars", Json(OrdersAtLeast(2)));
        Assert.That(SegmentsCached, Is.False, "inserting a segment drops the cache");
        var second = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(second));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.EqualTo(new[] { ann.Id }), "a new segment is evaluated by the next event");

        //edited: with the cached rule (>= 2 orders) she would stay
        regulars.RuleJson = Json(OrdersAtLeast(5));
        await SegmentService.UpdateSegmentAsync(regulars);
        var third = await OrderAsync(ann.Id, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(third));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.Empty, "the edited rule is read by the next event");

        //deleted: the next event does not report it any more
        await SegmentService.DeleteSegmentAsync(doomed);
        var fourth = await OrderAsync(ann.Id, publishEvent: false);
        var results = await ReevaluationService.ReevaluateCustomersAsync([ann.Id], RuleDataSources.Orders);
        Assert.That(results.Select(result => result.SegmentId), Does.Not.Contain(doomed.Id), "a deleted segment is not evaluated");
        Assert.That(await RowsAsync(doomed.Id), Is.Empty);

        //deactivated: its members are no longer updated, even when the customer no longer matches
        buyers.Active = false;
        await SegmentService.UpdateSegmentAsync(buyers);
        foreach (var order in new[] { first, second, third, fourth })
        {
            order.Deleted = true;
            await Repository<Order>().UpdateAsync(order, false);
            await PublishAsync<EntityDeletedEvent<Order>>(Orders, new EntityDeletedEvent<Order>(order));
        }

        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "an inactive segment is left as it was");
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.Empty);

        //active again: the next event that changes her statistics (a cancelled order: counted apart, no purchase) evaluates it
        buyers.Active = true;
        await SegmentService.UpdateSegmentAsync(buyers);
        var cancelled = await OrderAsync(ann.Id, publishEvent: false);
        cancelled.OrderStatusId = (int)OrderStatus.Cancelled;
        await Repository<Order>().UpdateAsync(cancelled, false);
        await PublishAsync<OrderStatusChangedEvent>(Orders, new OrderStatusChangedEvent(cancelled, OrderStatus.Complete));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty, "reactivated, the segment is evaluated again");
        AssertNoFailure();
    }

    [Test]
    public async Task AnEventThatChangesNoStatisticsLeavesTheirSegmentsAloneAndMembershipsStayAsAFullRebuildMakesThem()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com");
        var regulars = await SegmentAsync("Regulars", Json(OrdersAtLeast(2)));
        var spenders = await SegmentAsync("Spenders", Json(Condition(RuleFields.TotalSpent, RuleOperators.GreaterThanOrEqual, 25)));
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var fan = await ProductAsync("Fan product");
        var fans = await SegmentAsync("Fans", Json(Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, fan.Id)));
        var all = new[] { regulars, spenders, acme, fans };
        await RebuildService.RebuildAllSegmentsAsync();
        await AssertMembersAsFullRebuildAsync("start", all);

        var first = await OrderAsync(ann.Id, total: 20, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(first));
        await AssertMembersAsFullRebuildAsync("first order", all);

        //the same order announced again (paid, entity updated): neither the statistics nor the products bought change,
        //so no segment is evaluated; the company segment reads no order
        Queries.SegmentQueryBuildCount = 0;
        await PublishAsync<OrderPaidEvent>(Orders, new OrderPaidEvent(first));
        await PublishAsync<EntityUpdatedEvent<Order>>(Orders, new EntityUpdatedEvent<Order>(first));
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(0), "no figure changed, no segment is evaluated");
        await AssertMembersAsFullRebuildAsync("announced again", all);

        //an item added to the order, its total unchanged: the statistics stay, the bought products change
        await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = first.Id, ProductId = fan.Id, Quantity = 1 }, false);
        await PublishAsync<EntityUpdatedEvent<Order>>(Orders, new EntityUpdatedEvent<Order>(first));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.EqualTo(new[] { ann.Id }), "the item's product is read");
        await AssertMembersAsFullRebuildAsync("item added", all);

        //a second order: the statistics change, every order segment is evaluated
        var second = await OrderAsync(ann.Id, total: 10, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(second));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("second order", all);

        //announced again: nothing moves
        await PublishAsync<OrderPaidEvent>(Orders, new OrderPaidEvent(second));
        await AssertMembersAsFullRebuildAsync("second announced again", all);

        //refunded, then a pending order of bob's (no purchase: his statistics row counts nothing)
        second.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(second, false);
        await PublishAsync<OrderRefundedEvent>(Orders, new OrderRefundedEvent(second, 10));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.Empty);
        var pending = await OrderAsync(bob.Id, PaymentStatus.Pending, 100, publishEvent: false);
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(pending));
        await PublishAsync<OrderStatusChangedEvent>(Orders, new OrderStatusChangedEvent(pending, OrderStatus.Pending));
        await AssertMembersAsFullRebuildAsync("refund and pending order", all);

        //bob pays: his statistics change
        pending.PaymentStatusId = (int)PaymentStatus.Paid;
        await Repository<Order>().UpdateAsync(pending, false);
        await PublishAsync<OrderPaidEvent>(Orders, new OrderPaidEvent(pending));
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.EqualTo(new[] { bob.Id }));
        await AssertMembersAsFullRebuildAsync("paid", all);

        //and a full rebuild finds nothing to change
        var rebuilt = await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(rebuilt.Sum(result => result.Entered + result.Left), Is.Zero);
        AssertNoFailure();
    }

    private async Task<Segment> SegmentInStoreAsync(string name, int storeId, string ruleJson)
    {
        var segment = new Segment { Name = name, SegmentTypeId = (int)SegmentType.Dynamic, RuleJson = ruleJson, RuleSchemaVersion = 1, Active = true, StoreId = storeId };
        await SegmentService.InsertSegmentAsync(segment);
        return segment;
    }

    private async Task<Manufacturer> ManufacturerAsync(string name)
    {
        var manufacturer = new Manufacturer { Name = name, Published = true };
        await Repository<Manufacturer>().InsertAsync(manufacturer, false);
        return manufacturer;
    }

    private async Task PlaceAsync(Order order)
    {
        Queries.SegmentQueryBuildCount = 0;
        await PublishAsync<OrderPlacedEvent>(Orders, new OrderPlacedEvent(order));
    }

    [Test]
    public async Task SegmentsDecidedFromTheStatisticsAreWrittenWithoutTheirQueriesAndAgreeWithAFullRebuild()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com");
        var carl = await CustomerAsync("carl@example.com", "Acme");
        var dave = await CustomerAsync("dave@example.com");
        //decided from the statistics rows alone: at least 2 purchases, none yet (passes without a row), not exactly two
        //(a negated operator), a purchase in store 2 (the store's row), spent and scored by the last RFM ranking
        var regulars = await SegmentAsync("Regulars", Json(OrdersAtLeast(2)));
        var newcomers = await SegmentAsync("No purchase yet", Json(Condition(RuleFields.OrderCount, RuleOperators.Equal, 0)));
        var notTwo = await SegmentAsync("Not two", Json(Condition(RuleFields.OrderCount, RuleOperators.NotEqual, 2)));
        var storeTwo = await SegmentInStoreAsync("Store 2 buyers", 2, Json(OrdersAtLeast(1)));
        var scored = await SegmentAsync("Scored spenders", Json(Condition(RuleFields.TotalSpent, RuleOperators.GreaterThanOrEqual, 5),
            Condition(RuleFields.RfmRecency, RuleOperators.GreaterThanOrEqual, 1)));
        //the statistics decide only when they fail; the company decides otherwise (a query of its conditions)
        var acmeBuyers = await SegmentAsync("Acme buyers", Json(Company("Acme"), OrdersAtLeast(1)));
        //references another segment: its full query, after the segment it reads is written
        var loyal = await SegmentAsync("Loyal", Json(MemberOf(regulars.Id), Condition(RuleFields.TotalSpent, RuleOperators.GreaterThanOrEqual, 15)));
        var all = new[] { regulars, newcomers, notTwo, storeTwo, scored, acmeBuyers, loyal };
        await RebuildService.RebuildAllSegmentsAsync();
        await AssertMembersAsFullRebuildAsync("start", all);
        Assert.That(await CurrentMemberIdsAsync(newcomers.Id), Is.EqualTo(new[] { ann.Id, bob.Id, carl.Id, dave.Id }.Order()));

        const string queried = "only the conditions of Acme buyers (her statistics pass) and Loyal's query";
        await PlaceAsync(await OrderAsync(ann.Id, total: 20, publishEvent: false));
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(2), queried);
        Assert.That(await CurrentMemberIdsAsync(acmeBuyers.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(newcomers.Id), Does.Not.Contain(ann.Id));
        await AssertMembersAsFullRebuildAsync("ann's first order", all);

        var second = await OrderAsync(ann.Id, total: 10, publishEvent: false);
        await PlaceAsync(second);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(2), queried);
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(loyal.Id), Is.EqualTo(new[] { ann.Id }), "Loyal reads Regulars as just written");
        Assert.That(await CurrentMemberIdsAsync(notTwo.Id), Does.Not.Contain(ann.Id));
        await AssertMembersAsFullRebuildAsync("ann's second order", all);

        //bob buys in store 2: the segment of store 2 reads his row of store 2
        var inStoreTwo = await OrderAsync(bob.Id, total: 30, publishEvent: false);
        inStoreTwo.StoreId = 2;
        await Repository<Order>().UpdateAsync(inStoreTwo, false);
        await PlaceAsync(inStoreTwo);
        Assert.That(await CurrentMemberIdsAsync(storeTwo.Id), Is.EqualTo(new[] { bob.Id }));
        await AssertMembersAsFullRebuildAsync("bob's order in store 2", all);

        //carl is deleted (no customer event): his order takes him out of the segment he was in, and into none
        carl.Deleted = true;
        await Repository<Customer>().UpdateAsync(carl, false);
        await PlaceAsync(await OrderAsync(carl.Id, total: 50, publishEvent: false));
        Assert.That(await CurrentMemberIdsAsync(newcomers.Id), Is.EqualTo(new[] { dave.Id }));
        Assert.That(await CurrentMemberIdsAsync(acmeBuyers.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("carl deleted", all);

        //RFM scores move only with the scheduled rebuild: ranked now, ann and bob are scored; dave's first order is not
        await RebuildService.RebuildTimeDependentSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(scored.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        await PlaceAsync(await OrderAsync(dave.Id, total: 40, publishEvent: false));
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(2), "his statistics pass Acme buyers' (the company decides), and Loyal's query");
        Assert.That(await CurrentMemberIdsAsync(scored.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        await AssertMembersAsFullRebuildAsync("dave's first order", all);

        //ann's second order refunded: out of Regulars, and so out of Loyal; "not two" again
        second.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(second, false);
        Queries.SegmentQueryBuildCount = 0;
        await PublishAsync<OrderRefundedEvent>(Orders, new OrderRefundedEvent(second, 10));
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(2), queried);
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(loyal.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(notTwo.Id), Does.Contain(ann.Id));
        await AssertMembersAsFullRebuildAsync("refund", all);

        //each change is one stay closed or opened, and a full rebuild finds nothing to change
        foreach (var segment in all)
        {
            var rows = await RowsAsync(segment.Id);
            Assert.That(rows.GroupBy(row => row.CustomerId).Select(group => group.Count(row => row.LeftOnUtc == null)), Has.All.LessThanOrEqualTo(1), segment.Name);
        }

        var rebuilt = await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(rebuilt.Sum(result => result.Entered + result.Left), Is.Zero);
        AssertNoFailure();
    }

    private static RuleCondition InLast(int days, RuleCondition condition)
    {
        condition.PeriodDays = days;
        return condition;
    }

    [Test]
    public async Task SegmentsOfThePurchasesOfAPeriodAreDecidedFromTheFiguresTheRefreshReadAndAgreeWithAFullRebuild()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com");
        var carl = await CustomerAsync("carl@example.com", "Acme");
        //decided from the purchases of the periods read with the order's day (and the statistics rows)
        var spenders = await SegmentAsync("Spent 25 in 30 days", Json(InLast(30, Condition(RuleFields.SpentInPeriod, RuleOperators.GreaterThanOrEqual, 25))));
        var notOne = await SegmentAsync("Not one order in 30 days", Json(InLast(30, Condition(RuleFields.OrderCountInPeriod, RuleOperators.NotEqual, 1))));
        var weekInStoreTwo = await SegmentInStoreAsync("Two orders in a week in store 2", 2,
            Json(InLast(7, Condition(RuleFields.OrderCountInPeriod, RuleOperators.GreaterThanOrEqual, 2))));
        var recentRegulars = await SegmentAsync("Regulars who spent 15 in 10 days", Json(OrdersAtLeast(2),
            InLast(10, Condition(RuleFields.SpentInPeriod, RuleOperators.GreaterThanOrEqual, 15))));
        //the period decides only when it fails; the company decides otherwise (a query of its conditions)
        var acmeRecent = await SegmentAsync("Acme, spent 5 in 30 days", Json(Company("Acme"),
            InLast(30, Condition(RuleFields.SpentInPeriod, RuleOperators.GreaterThanOrEqual, 5))));
        var all = new[] { spenders, notOne, weekInStoreTwo, recentRegulars, acmeRecent };
        await RebuildService.RebuildAllSegmentsAsync();
        await AssertMembersAsFullRebuildAsync("start", all);
        Assert.That(await CurrentMemberIdsAsync(notOne.Id), Is.EqualTo(new[] { ann.Id, bob.Id, carl.Id }.Order()));

        async Task<Order> placedAsync(int customerId, decimal total, int daysAgo = 0, int storeId = 1)
        {
            var order = await OrderAsync(customerId, total: total, publishEvent: false);
            (order.CreatedOnUtc, order.StoreId) = (order.CreatedOnUtc.AddDays(-daysAgo), storeId);
            await Repository<Order>().UpdateAsync(order, false);
            await PlaceAsync(order);
            return order;
        }

        var first = await placedAsync(ann.Id, 20);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "only the conditions of the Acme segment (her period passes)");
        Assert.That(await CurrentMemberIdsAsync(notOne.Id), Does.Not.Contain(ann.Id));
        Assert.That(await CurrentMemberIdsAsync(acmeRecent.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("ann's first order", all);

        //an order of long ago: her second order, outside every period
        await placedAsync(ann.Id, 10, daysAgo: 40);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "only the conditions of the Acme segment");
        Assert.That(await CurrentMemberIdsAsync(recentRegulars.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.Empty, "20 in the last 30 days");
        await AssertMembersAsFullRebuildAsync("ann's order of long ago", all);

        //bob buys twice in store 2 within the week, and once in store 1
        await placedAsync(bob.Id, 30, daysAgo: 3, storeId: 2);
        await placedAsync(bob.Id, 1, storeId: 1);
        Assert.That(await CurrentMemberIdsAsync(weekInStoreTwo.Id), Is.Empty, "one order in store 2");
        await placedAsync(bob.Id, 2, storeId: 2);
        Assert.That(await CurrentMemberIdsAsync(weekInStoreTwo.Id), Is.EqualTo(new[] { bob.Id }));
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.EqualTo(new[] { bob.Id }), "33 in every store");
        await AssertMembersAsFullRebuildAsync("bob's orders", all);

        //carl (Acme) spends too little: the period decides without his company's query
        await placedAsync(carl.Id, 3);
        Assert.That(Queries.SegmentQueryBuildCount, Is.Zero, "every segment decided from the figures");
        Assert.That(await CurrentMemberIdsAsync(acmeRecent.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("carl's order", all);

        //ann's first order refunded: no purchase in the last 30 days any more
        first.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(first, false);
        Queries.SegmentQueryBuildCount = 0;
        await PublishAsync<OrderRefundedEvent>(Orders, new OrderRefundedEvent(first, 20));
        Assert.That(Queries.SegmentQueryBuildCount, Is.Zero, "every segment decided from the figures");
        Assert.That(await CurrentMemberIdsAsync(notOne.Id), Does.Contain(ann.Id));
        Assert.That(await CurrentMemberIdsAsync(acmeRecent.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(recentRegulars.Id), Is.EqualTo(new[] { bob.Id }), "ann has one purchase left");
        await AssertMembersAsFullRebuildAsync("refund", all);

        var rebuilt = await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(rebuilt.Sum(result => result.Entered + result.Left), Is.Zero);
        AssertNoFailure();
    }

    [Test]
    public async Task SegmentsOfPurchasesOfProductsAndCategoriesAreDecidedFromTheFiguresTheRefreshReadAndAgreeWithAFullRebuild()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com");
        var carl = await CustomerAsync("carl@example.com", "Acme");
        //product 1 in category 1, product 2 in categories 1 and 2, product 3 in category 3 and of manufacturer 1
        var (p1, p2, p3) = (await ProductAsync("P1"), await ProductAsync("P2"), await ProductAsync("P3"));
        var (c1, c2, c3) = (await CategoryAsync("C1"), await CategoryAsync("C2"), await CategoryAsync("C3"));
        var m1 = await ManufacturerAsync("M1");
        foreach (var (productId, categoryId) in new[] { (p1.Id, c1.Id), (p2.Id, c1.Id), (p2.Id, c2.Id), (p3.Id, c3.Id) })
            await Repository<ProductCategory>().InsertAsync(new ProductCategory { ProductId = productId, CategoryId = categoryId }, false);
        await Repository<ProductManufacturer>().InsertAsync(new ProductManufacturer { ProductId = p3.Id, ManufacturerId = m1.Id }, false);
        //decided from the customer's rows of the products named, read with the order's products
        var categoryOne = await SegmentAsync("Bought category 1", Json(Condition(RuleFields.BoughtCategories, RuleOperators.AnyOf, c1.Id)));
        var recentCategoryTwo = await SegmentAsync("Bought category 2 in 30 days", Json(InLast(30, Condition(RuleFields.BoughtCategories, RuleOperators.AnyOf, c2.Id))));
        var neverProductThree = await SegmentAsync("Never bought product 3", Json(Condition(RuleFields.BoughtProducts, RuleOperators.NoneOf, p3.Id)));
        var categoriesOneAndThree = await SegmentAsync("Bought categories 1 and 3", Json(Condition(RuleFields.BoughtCategories, RuleOperators.AllOf, c1.Id, c3.Id)));
        var manufacturerInStoreTwo = await SegmentInStoreAsync("Bought manufacturer 1 in store 2", 2,
            Json(Condition(RuleFields.BoughtManufacturers, RuleOperators.AnyOf, m1.Id)));
        var regularsOfProductTwo = await SegmentAsync("Regulars who bought product 2", Json(OrdersAtLeast(2), Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, p2.Id)));
        //the purchase decides only when it fails; the company decides otherwise (a query of its conditions)
        var acmeCategoryOne = await SegmentAsync("Acme, bought category 1", Json(Company("Acme"), Condition(RuleFields.BoughtCategories, RuleOperators.AnyOf, c1.Id)));
        var all = new[] { categoryOne, recentCategoryTwo, neverProductThree, categoriesOneAndThree, manufacturerInStoreTwo, regularsOfProductTwo, acmeCategoryOne };
        await RebuildService.RebuildAllSegmentsAsync();
        await AssertMembersAsFullRebuildAsync("start", all);
        Assert.That(await CurrentMemberIdsAsync(neverProductThree.Id), Is.EqualTo(new[] { ann.Id, bob.Id, carl.Id }.Order()));

        async Task<Order> placedAsync(int customerId, int[] productIds, int daysAgo = 0, int storeId = 1)
        {
            var order = await OrderAsync(customerId, publishEvent: false);
            (order.CreatedOnUtc, order.StoreId) = (order.CreatedOnUtc.AddDays(-daysAgo), storeId);
            await Repository<Order>().UpdateAsync(order, false);
            foreach (var productId in productIds)
                await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = productId, Quantity = 1 }, false);
            await PlaceAsync(order);
            return order;
        }

        var first = await placedAsync(ann.Id, [p1.Id]);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "only the conditions of the Acme segment (her purchase passes)");
        Assert.That(await CurrentMemberIdsAsync(categoryOne.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(acmeCategoryOne.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("ann's first order", all);

        //bob buys product 2 long ago, then product 3 in store 2
        await placedAsync(bob.Id, [p2.Id], daysAgo: 40);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "only the conditions of the Acme segment");
        Assert.That(await CurrentMemberIdsAsync(recentCategoryTwo.Id), Is.Empty, "category 2 bought 40 days ago");
        await placedAsync(bob.Id, [p3.Id, p3.Id], storeId: 2);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "only the conditions of the Acme segment");
        Assert.That(await CurrentMemberIdsAsync(neverProductThree.Id), Is.EqualTo(new[] { ann.Id, carl.Id }.Order()));
        Assert.That(await CurrentMemberIdsAsync(categoriesOneAndThree.Id), Is.EqualTo(new[] { bob.Id }));
        Assert.That(await CurrentMemberIdsAsync(manufacturerInStoreTwo.Id), Is.EqualTo(new[] { bob.Id }));
        Assert.That(await CurrentMemberIdsAsync(regularsOfProductTwo.Id), Is.EqualTo(new[] { bob.Id }));
        await AssertMembersAsFullRebuildAsync("bob's orders", all);

        //carl (Acme) buys product 3 in store 1: his purchase decides without his company's query
        await placedAsync(carl.Id, [p3.Id]);
        Assert.That(Queries.SegmentQueryBuildCount, Is.Zero, "every segment decided from the figures");
        Assert.That(await CurrentMemberIdsAsync(manufacturerInStoreTwo.Id), Is.EqualTo(new[] { bob.Id }), "store 1");
        Assert.That(await CurrentMemberIdsAsync(acmeCategoryOne.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("carl's order", all);

        //ann buys product 2 within the period: category 2, and a regular of product 2
        await placedAsync(ann.Id, [p2.Id], daysAgo: 5);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "only the conditions of the Acme segment");
        Assert.That(await CurrentMemberIdsAsync(recentCategoryTwo.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(regularsOfProductTwo.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        await AssertMembersAsFullRebuildAsync("ann's second order", all);

        //ann's first order refunded: its product's row owes its date to it and is recomputed, the queries decide
        first.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(first, false);
        await PublishAsync<OrderRefundedEvent>(Orders, new OrderRefundedEvent(first, 10));
        Assert.That(await CurrentMemberIdsAsync(regularsOfProductTwo.Id), Is.EqualTo(new[] { bob.Id }), "ann has one purchase left");
        Assert.That(await CurrentMemberIdsAsync(categoryOne.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()), "product 2 is in category 1");
        await AssertMembersAsFullRebuildAsync("refund", all);

        var rebuilt = await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(rebuilt.Sum(result => result.Entered + result.Left), Is.Zero);
        AssertNoFailure();
    }

    [Test]
    public async Task PurchasesOfMoreNamesThanAreReadWithTheProductsAreLeftToTheirQueries()
    {
        var ann = await CustomerAsync("ann@example.com");
        var product = await ProductAsync("P1");
        var categories = new List<object>();
        for (var i = 0; i < SegmentReevaluationService.MaxPurchaseNamesReadWithTheProducts; i++)
            categories.Add((await CategoryAsync($"C{i}")).Id);
        await Repository<ProductCategory>().InsertAsync(new ProductCategory { ProductId = product.Id, CategoryId = (int)categories[50] }, false);
        var fewNames = await SegmentAsync("Bought the product", Json(Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, product.Id)));
        var manyNames = await SegmentAsync("Bought one of many categories", Json(Condition(RuleFields.BoughtCategories, RuleOperators.AnyOf, [.. categories])));
        //a segment on the statistics: the rebuild makes the figures current
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await RebuildService.RebuildAllSegmentsAsync();

        var order = await OrderAsync(ann.Id, publishEvent: false);
        await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = product.Id, Quantity = 1 }, false);
        await PlaceAsync(order);
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "the names of one rule beyond those read with the products");
        Assert.That(await CurrentMemberIdsAsync(fewNames.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(await CurrentMemberIdsAsync(manyNames.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("ann's order", fewNames, manyNames, buyers);
        AssertNoFailure();
    }

    [Test]
    public async Task PeriodsOfMoreLengthsThanAreReadWithTheDayAreLeftToTheirQueries()
    {
        var ann = await CustomerAsync("ann@example.com");
        var segments = new List<Segment>();
        for (var days = 10; days <= 10 * (SegmentReevaluationService.MaxPeriodsReadWithTheDay + 1); days += 10)
            segments.Add(await SegmentAsync($"Spent in {days} days", Json(InLast(days, Condition(RuleFields.SpentInPeriod, RuleOperators.GreaterThanOrEqual, 5)))));
        await RebuildService.RebuildAllSegmentsAsync();

        await PlaceAsync(await OrderAsync(ann.Id, total: 20, publishEvent: false));
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1), "one period beyond those read with the day");
        foreach (var segment in segments)
            Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ann.Id }), segment.Name);
        await AssertMembersAsFullRebuildAsync("ann's order", [.. segments]);
        AssertNoFailure();
    }

    /// <summary>
    /// The plugin's statistics service, counting the reads of a customer's statistics rows
    /// </summary>
    private sealed class CountingStatisticsService(CustomerSegmentsSettings settings, TestShop shop)
        : CustomerOrderStatisticsService(settings, shop.DataProvider, new Mock<Nop.Services.Configuration.ISettingService>().Object,
            shop.Repository<Customer>(), shop.Repository<CustomerCustomerRoleMapping>(), shop.Repository<CustomerRole>(), shop.Repository<Order>(),
            shop.Repository<CustomerOrderStatistics>(), new SegmentMembershipTransaction(shop.Repository<Segment>()), shop.NewDailyPurchasesService(settings),
            shop.NewPurchasedProductService(settings))
    {
        public int Reads { get; private set; }

        public override Task<IReadOnlyList<CustomerOrderStatistics>> GetCustomerStatisticsAsync(int customerId)
        {
            Reads++;
            return base.GetCustomerStatisticsAsync(customerId);
        }
    }

    [Test]
    public async Task ACustomerEventReadsTheStatisticsRowsOnlyForRulesThatTestThem()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        await PlaceAsync(await OrderAsync(ann.Id, total: 20, publishEvent: false));
        await PlaceAsync(await OrderAsync(bob.Id, total: 20, publishEvent: false));
        var spenders = await SegmentAsync("Spent 5 in 30 days", Json(InLast(30, Condition(RuleFields.SpentInPeriod, RuleOperators.GreaterThanOrEqual, 5))));
        var statistics = new CountingStatisticsService(StatisticsSettings, Shop);
        var reevaluation = new SegmentReevaluationService(Logger.Object, DataProvider, Repository<Segment>(), Repository<SegmentMembership>(), CacheInvalidator,
            Queries, Serializer, Validator, new SegmentRuleAnalyzer(Catalog), statistics, new SegmentMembershipTransaction(Repository<Segment>()),
            new ActiveSegmentReader(Repository<Segment>(), StaticCache), ReevaluationLock);

        //eligible and in no segment: evaluated in every segment; the period is read only with an order's day, so its query decides
        Queries.SegmentQueryBuildCount = 0;
        await reevaluation.ReevaluateCustomersAsync([ann.Id], RuleDataSources.Customer);
        Assert.That(statistics.Reads, Is.Zero, "no rule tests the statistics rows");
        Assert.That(Queries.SegmentQueryBuildCount, Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.EqualTo(new[] { ann.Id }));

        var regulars = await SegmentAsync("Regulars", Json(OrdersAtLeast(2)));
        await reevaluation.ReevaluateCustomersAsync([bob.Id], RuleDataSources.Customer);
        Assert.That(statistics.Reads, Is.EqualTo(1), "read once for the rule on the order count");
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.Empty);
        AssertNoFailure();
    }

    [Test]
    public async Task AGuestsOrderEvaluatesNoSegmentUnlessHeIsInOne()
    {
        var guest = await CustomerInRoleAsync(await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName), "guest@example.com", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        var all = new[] { acme, buyers };
        await RebuildService.RebuildAllSegmentsAsync();

        var order = await OrderAsync(guest.Id, publishEvent: false);
        Queries.SegmentQueryBuildCount = 0;
        Assert.That(await ReevaluationService.ReevaluateOrderCustomerAsync(order), Is.Empty, "no rule can select him and he is in no segment");
        Assert.That(Queries.SegmentQueryBuildCount, Is.Zero);
        await AssertMembersAsFullRebuildAsync("a guest's order", all);

        //a stay opened while he could be a member (e.g. before a setting changed): his next order closes it
        await Repository<SegmentMembership>().InsertAsync(new SegmentMembership { SegmentId = buyers.Id, CustomerId = guest.Id, EnteredOnUtc = DateTime.UtcNow.AddDays(-1) }, false);
        await PlaceAsync(await OrderAsync(guest.Id, total: 5, publishEvent: false));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.Empty);
        await AssertMembersAsFullRebuildAsync("a guest's order with a stray stay", all);
        AssertNoFailure();
    }

    /// <summary>
    /// Records the statements that read the memberships
    /// </summary>
    private sealed class MembershipReadRecorder : LinqToDB.Interceptors.CommandInterceptor
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _statements = new();

        public IReadOnlyList<string> TakeStatements()
        {
            var taken = new List<string>();
            while (_statements.TryDequeue(out var sql))
                taken.Add(sql);
            return taken;
        }

        public override System.Data.Common.DbCommand CommandInitialized(LinqToDB.Interceptors.CommandEventData eventData, System.Data.Common.DbCommand command)
        {
            var sql = command.CommandText.TrimStart();
            if (sql.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && sql.Contains(CustomerSegmentsDefaults.MembershipTableName, StringComparison.Ordinal))
                _statements.Enqueue(sql);
            return command;
        }
    }

    [Test]
    public async Task AnOrderEventReadsTheCustomersStandingWithHisStatisticsRows()
    {
        var recorder = new MembershipReadRecorder();
        var shop = new TestShop(Database, new TestDataProvider(Database, recorder));
        var reevaluation = NewReevaluationService(NewQueryBuilder(StatisticsSettings, shop), shop: shop, settings: StatisticsSettings);
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com");
        var guest = await CustomerInRoleAsync(await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName), "guest@example.com");
        //decided from the figures the refresh reads, whatever the customer
        var regulars = await SegmentAsync("Regulars", Json(OrdersAtLeast(2)));
        var spenders = await SegmentAsync("Spent 25 in 30 days", Json(InLast(30, Condition(RuleFields.SpentInPeriod, RuleOperators.GreaterThanOrEqual, 25))));
        var all = new[] { regulars, spenders };
        await RebuildService.RebuildAllSegmentsAsync();
        recorder.TakeStatements();

        foreach (var (customer, total) in new[] { (ann, 10m), (bob, 20m), (ann, 20m), (guest, 30m), (bob, 10m) })
        {
            var step = $"customer {customer.Email}, order of {total}";
            await reevaluation.ReevaluateOrderCustomerAsync(await OrderAsync(customer.Id, total: total, publishEvent: false));
            var reads = recorder.TakeStatements();
            Assert.That(reads, Has.Count.EqualTo(1), $"{step}: his memberships are read once");
            Assert.That(reads[0], Does.Contain(CustomerSegmentsDefaults.OrderStatisticsTableName), $"{step}: with his statistics rows");
            await AssertMembersAsFullRebuildAsync(step, all);
        }

        Assert.That(await CurrentMemberIdsAsync(regulars.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        Assert.That(await CurrentMemberIdsAsync(spenders.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()));
        AssertNoFailure();
    }

    [Test]
    public async Task AnOrderEventEvaluatesTheSegmentsOfTheFiguresItChangedOnly()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var fan = await ProductAsync("Fan product");
        var fans = await SegmentAsync("Fans", Json(Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, fan.Id)));
        var recent = Condition(RuleFields.OrderCountInPeriod, RuleOperators.GreaterThanOrEqual, 1);
        recent.PeriodDays = 30;
        var recentBuyers = await SegmentAsync("Recent buyers", Json(recent));
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var all = new[] { fans, recentBuyers, acme };
        await RebuildService.RebuildAllSegmentsAsync();

        async Task<int[]> EvaluatedAsync(Order order) =>
            (await ReevaluationService.ReevaluateOrderCustomerAsync(order)).Select(result => result.SegmentId).Order().ToArray();

        //a paid order without items: her purchases per day change, her products bought do not
        var order = await OrderAsync(ann.Id, publishEvent: false);
        Assert.That(await EvaluatedAsync(order), Is.EqualTo(new[] { recentBuyers.Id }));
        Assert.That(await CurrentMemberIdsAsync(recentBuyers.Id), Is.EqualTo(new[] { ann.Id }));
        await AssertMembersAsFullRebuildAsync("order without items", all);

        //an item added, the total unchanged: her products bought change, her day does not
        await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = fan.Id, Quantity = 1 }, false);
        Assert.That(await EvaluatedAsync(order), Is.EqualTo(new[] { fans.Id }));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.EqualTo(new[] { ann.Id }));

        //announced again: nothing changed, nothing is evaluated
        Assert.That(await EvaluatedAsync(order), Is.Empty);

        //refunded: both figures change
        order.PaymentStatusId = (int)PaymentStatus.Refunded;
        await Repository<Order>().UpdateAsync(order, false);
        Assert.That(await EvaluatedAsync(order), Is.EqualTo(new[] { fans.Id, recentBuyers.Id }.Order().ToArray()));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(recentBuyers.Id), Is.Empty);
        await AssertMembersAsFullRebuildAsync("refunded", all);
        AssertNoFailure();
    }
}
