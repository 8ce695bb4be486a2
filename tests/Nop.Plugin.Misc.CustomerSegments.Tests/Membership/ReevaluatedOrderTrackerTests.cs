using Microsoft.AspNetCore.Http;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

public class ReevaluatedOrderTrackerTests
{
    private readonly HttpContextAccessor _request = new() { HttpContext = new DefaultHttpContext() };

    private ReevaluatedOrderTracker Tracker => new(_request);

    private static Order PlacedOrder() => new()
    {
        Id = 7,
        CustomerId = 5,
        StoreId = 1,
        Deleted = false,
        OrderStatusId = 20,
        PaymentStatusId = 30,
        OrderTotal = 49.90m,
        CreatedOnUtc = new DateTime(2026, 12, 6, 8, 30, 0, DateTimeKind.Utc),
        CustomOrderNumber = "7"
    };

    [Test]
    public void AnOrderReevaluatedInTheRequestIsUnchangedWhileWhatTheRulesReadStaysAsItWas()
    {
        Tracker.Reevaluated(PlacedOrder());

        //another instance of the entity, as the next event of the checkout hands it over, with a field no rule reads changed
        var next = PlacedOrder();
        next.CustomOrderNumber = "2026-0007";
        Assert.That(Tracker.IsUnchanged(next), Is.True);

        //the order as read back from the database: the total with the column's scale, the moment without its fraction
        Tracker.Reevaluated(new Order
        {
            Id = 7, CustomerId = 5, StoreId = 1, OrderStatusId = 20, PaymentStatusId = 30, OrderTotal = 49.9000m,
            CreatedOnUtc = new DateTime(2026, 12, 6, 8, 30, 0, 999, DateTimeKind.Unspecified)
        });
        Assert.That(Tracker.IsUnchanged(PlacedOrder()), Is.True, "read back");
    }

    [Test]
    public void AChangeOfAnyFieldTheRulesReadMakesTheOrderChanged()
    {
        var changes = new (string Field, Action<Order> Change)[]
        {
            (nameof(Order.CustomerId), order => order.CustomerId = 6),
            (nameof(Order.StoreId), order => order.StoreId = 2),
            (nameof(Order.Deleted), order => order.Deleted = true),
            (nameof(Order.OrderStatusId), order => order.OrderStatusId = 30),
            (nameof(Order.PaymentStatusId), order => order.PaymentStatusId = 40),
            (nameof(Order.OrderTotal), order => order.OrderTotal = 49.91m),
            (nameof(Order.CreatedOnUtc), order => order.CreatedOnUtc = order.CreatedOnUtc.AddSeconds(1))
        };

        foreach (var (field, change) in changes)
        {
            Tracker.Reevaluated(PlacedOrder());
            var changed = PlacedOrder();
            change(changed);
            Assert.That(Tracker.IsUnchanged(changed), Is.False, field);
        }
    }

    [Test]
    public void AForgottenOrderIsNoLongerUnchanged()
    {
        Tracker.Reevaluated(PlacedOrder());
        Tracker.Forget(8);
        Assert.That(Tracker.IsUnchanged(PlacedOrder()), Is.True, "another order forgotten");

        Tracker.Forget(7);
        Assert.That(Tracker.IsUnchanged(PlacedOrder()), Is.False);
    }

    [Test]
    public void NothingIsRememberedBeyondTheRequestNorWithoutOne()
    {
        Tracker.Reevaluated(PlacedOrder());
        _request.HttpContext = new DefaultHttpContext();
        Assert.That(Tracker.IsUnchanged(PlacedOrder()), Is.False, "the next request");

        _request.HttpContext = null;
        Tracker.Reevaluated(PlacedOrder());
        Assert.That(Tracker.IsUnchanged(PlacedOrder()), Is.False, "a background thread");
        Assert.DoesNotThrow(() => Tracker.Forget(7));
    }

    [Test]
    public void AnOrderNotSavedYetIsNeverUnchanged()
    {
        var unsaved = PlacedOrder();
        unsaved.Id = 0;
        Tracker.Reevaluated(unsaved);
        Assert.That(Tracker.IsUnchanged(unsaved), Is.False);
        Assert.That(Tracker.IsUnchanged(null), Is.False);
    }
}
