using Moq;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// Order items added, changed and removed move the order's customer in and out of a bought-products segment, with the
/// products bought per customer current (the rule reads them) and refreshed by the event
/// </summary>
public class OrderItemEventTests : MembershipTestBase
{
    public OrderItemEventTests(DatabaseEngine engine) : base(engine)
    {
    }

    [Test]
    public async Task EachOrderItemEventMovesTheCustomerWithTheProductsBoughtPerCustomerCurrent()
    {
        //one settings object for the statistics and the rules, as nopCommerce's container shares it
        var settings = new CustomerSegmentsSettings();
        var queries = NewQueryBuilder(settings);
        var statistics = NewStatisticsService(settings);
        var rebuild = NewRebuildService(queries, settings: settings);
        var reevaluation = NewReevaluationService(queries, settings: settings);
        var items = new OrderItemEventConsumer(settings, Logger.Object, NewPendingCustomerService(reevaluation), reevaluation, Repository<Order>(), OutsideRequest);

        var ann = await CustomerAsync("ann@example.com");
        var order = await OrderAsync(ann.Id, publishEvent: false);
        var fan = await ProductAsync("Fan product");
        var fans = await SegmentAsync("Fans", Json(Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, fan.Id)));
        await statistics.RecomputeAllAsync(DateTime.UtcNow);
        Assert.That(statistics.AreCurrent(), Is.True);
        await rebuild.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty);
        //the rule reads the products bought per customer
        var sql = LinqToDB.LinqExtensions.ToSqlQuery(await queries.BuildMatchingCustomerIdsQueryAsync(
            new SegmentRule { Root = new RuleGroup { Children = [Condition(RuleFields.BoughtProducts, RuleOperators.AnyOf, fan.Id)] } }, 0, DateTime.UtcNow)).Sql;
        Assert.That(sql, Does.Contain(CustomerSegmentsDefaults.PurchasedProductsTableName));

        var item = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = fan.Id, Quantity = 1 };
        await Repository<OrderItem>().InsertAsync(item, false);
        await items.HandleEventAsync(new EntityInsertedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.EqualTo(new[] { ann.Id }), "item added");

        item.ProductId = fan.Id + 1;
        await Repository<OrderItem>().UpdateAsync(item, false);
        await items.HandleEventAsync(new EntityUpdatedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty, "item's product changed");

        item.ProductId = fan.Id;
        await Repository<OrderItem>().UpdateAsync(item, false);
        await items.HandleEventAsync(new EntityUpdatedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.EqualTo(new[] { ann.Id }), "changed back");

        await Repository<OrderItem>().DeleteAsync(item, false);
        await items.HandleEventAsync(new EntityDeletedEvent<OrderItem>(item));
        Assert.That(await CurrentMemberIdsAsync(fans.Id), Is.Empty, "item removed");

        Logger.Verify(l => l.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), null), Times.Never);
    }
}
