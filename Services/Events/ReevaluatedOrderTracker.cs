using Microsoft.AspNetCore.Http;
using Nop.Core.Domain.Orders;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Keeps the orders re-evaluated in the items of the current HTTP request, so that they are forgotten with it.
/// Outside a request (nopCommerce then resolves consumers from the application's root scope, shared by every
/// thread) nothing is remembered and every event re-evaluates.
/// </summary>
public class ReevaluatedOrderTracker : IReevaluatedOrderTracker
{
    private static readonly object RequestItemKey = new();

    protected readonly IHttpContextAccessor _httpContextAccessor;

    public ReevaluatedOrderTracker(IHttpContextAccessor httpContextAccessor)
    {
        _httpContextAccessor = httpContextAccessor;
    }

    /// <summary>
    /// The orders re-evaluated in the current request, by id; null outside a request
    /// </summary>
    /// <param name="create">Whether to create the map when the request has none yet</param>
    protected virtual Dictionary<int, ReevaluatedOrderState> GetRequestOrders(bool create)
    {
        var items = _httpContextAccessor?.HttpContext?.Items;
        if (items == null)
            return null;

        if (items.TryGetValue(RequestItemKey, out var orders))
            return orders as Dictionary<int, ReevaluatedOrderState>;

        if (!create)
            return null;

        var created = new Dictionary<int, ReevaluatedOrderState>();
        items[RequestItemKey] = created;

        return created;
    }

    public virtual bool IsUnchanged(Order order)
    {
        if (order == null || order.Id <= 0 || GetRequestOrders(false) is not { } orders)
            return false;

        lock (orders)
            return orders.TryGetValue(order.Id, out var state) && state == ReevaluatedOrderState.Of(order);
    }

    public virtual void Reevaluated(Order order)
    {
        if (order == null || order.Id <= 0 || GetRequestOrders(true) is not { } orders)
            return;

        lock (orders)
            orders[order.Id] = ReevaluatedOrderState.Of(order);
    }

    public virtual void Forget(int orderId)
    {
        if (GetRequestOrders(false) is not { } orders)
            return;

        lock (orders)
            orders.Remove(orderId);
    }
}

/// <summary>
/// What the rules read of an order (its items aside): whose it is, in which store, whether it counts as a purchase,
/// how much and when. The moment is kept to the second, as the figures compare it: an order read back from a column of
/// whole seconds (MySQL/MariaDB DATETIME) is the same as the entity that was written.
/// </summary>
public readonly record struct ReevaluatedOrderState(int CustomerId, int StoreId, bool Deleted, int OrderStatusId, int PaymentStatusId,
    decimal OrderTotal, DateTime CreatedOnUtc)
{
    public static ReevaluatedOrderState Of(Order order) =>
        new(order.CustomerId, order.StoreId, order.Deleted, order.OrderStatusId, order.PaymentStatusId, order.OrderTotal,
            new DateTime(order.CreatedOnUtc.Ticks - order.CreatedOnUtc.Ticks % TimeSpan.TicksPerSecond));
}
