using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Tests.Membership;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Customers;
using Nop.Services.Discounts;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

/// <summary>
/// The whole path on a real database with the real rule engine and the real order event consumer: orders move a
/// customer into an order-count segment, the discount requirement then passes in the next request; a refund (the
/// order's payment status saved as Refunded, then nopCommerce's OrderRefundedEvent) takes the order out of the
/// purchases, the customer leaves the segment, the cached membership is dropped, and the requirement fails in the next request
/// </summary>
public class DiscountFlowTests : MembershipTestBase
{
    public DiscountFlowTests(DatabaseEngine engine) : base(engine)
    {
    }

    [Test]
    public async Task OrdersTakeTheCustomerIntoTheSegmentThatUnlocksTheDiscountAndARefundTakesThemOut()
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var settingService = SavedSettingsMock.Over(settings);
        var customerService = new Mock<ICustomerService>();
        customerService.Setup(c => c.IsRegisteredAsync(It.IsAny<Customer>(), It.IsAny<bool>())).ReturnsAsync(true);
        var store = new SegmentRequirementStore(settingService.Object);
        var consumer = new OrderEventConsumer(new CustomerSegmentsSettings(), Logger.Object, PendingCustomers, ReevaluationService, OutsideRequest);

        var repeatBuyers = await SegmentAsync("Repeat buyers", Json(OrdersAtLeast(2)));
        const int requirementId = 31;
        await store.SaveAsync(requirementId, new SegmentRequirement { IncludeSegmentIds = [repeatBuyers.Id] });
        var customer = await CustomerAsync("flow@shop.test");
        var membershipReads = 0;
        var countingMembership = new Mock<ISegmentMembershipService>();
        countingMembership.Setup(m => m.GetSegmentIdsOfCustomerAsync(It.IsAny<int>()))
            .Returns(async (int customerId) => { membershipReads++; return await MembershipService.GetSegmentIdsOfCustomerAsync(customerId); });

        //one storefront request: a fresh per-request cache over the shared static cache, several discounts checked
        async Task<bool> RequestPassesAsync()
        {
            var shortTerm = new InMemoryShortTermCacheManager();
            var checker = new SegmentRequirementChecker(new CustomerSegmentsSettings(),
                new CustomerSegmentIdsReader(countingMembership.Object, shortTerm, StaticCache),
                customerService.Object, Mock.Of<Nop.Services.Logging.ILogger>(), store, new ActiveSegmentReader(Repository<Segment>(), StaticCache), shortTerm);
            var results = new List<bool>();
            for (var i = 0; i < 3; i++)
                results.Add((await checker.CheckAsync(new DiscountRequirementValidationRequest { DiscountRequirementId = requirementId, Customer = customer })).IsValid);

            Assert.That(results.Distinct().Count(), Is.EqualTo(1));
            return results[0];
        }

        var first = await OrderAsync(customer.Id);
        await consumer.HandleEventAsync(new OrderPlacedEvent(first));
        Assert.That(await RequestPassesAsync(), Is.False, "one order: not a repeat buyer yet");
        Assert.That(membershipReads, Is.EqualTo(1));

        var second = await OrderAsync(customer.Id);
        await consumer.HandleEventAsync(new OrderPlacedEvent(second));
        Assert.That(await CurrentMemberIdsAsync(repeatBuyers.Id), Is.EqualTo(new[] { customer.Id }));
        Assert.That(await RequestPassesAsync(), Is.True, "the second order made them a member, and the cache no longer says otherwise");
        Assert.That(await RequestPassesAsync(), Is.True);
        Assert.That(membershipReads, Is.EqualTo(2), "read again only after the membership changed");

        //the order is refunded: it no longer counts as a purchase
        second.PaymentStatusId = (int)PaymentStatus.Refunded;
        second.RefundedAmount = second.OrderTotal;
        await Repository<Order>().UpdateAsync(second);
        await consumer.HandleEventAsync(new OrderRefundedEvent(second, second.OrderTotal));
        Assert.That(await CurrentMemberIdsAsync(repeatBuyers.Id), Is.Empty, "a refunded order is not a purchase: one left, not a repeat buyer");
        var rows = await RowsAsync(repeatBuyers.Id);
        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That(rows[0].LeftOnUtc, Is.Not.Null, "the membership is closed, not deleted");
        Assert.That(await RequestPassesAsync(), Is.False, "left the segment: the discount is gone in the next request");
        Assert.That(membershipReads, Is.EqualTo(3));
        Assert.That(await Repository<Order>().Table.CountAsync(order => order.CustomerId == customer.Id && !order.Deleted), Is.EqualTo(2),
            "the order is still there: only its payment status took it out");
    }
}
