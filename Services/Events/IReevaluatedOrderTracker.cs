using Nop.Core.Domain.Orders;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Remembers, within one request, which orders' customers were re-evaluated and what the orders were like then.
/// nopCommerce publishes eleven events for a paid checkout of two items (the order inserted, updated, its items
/// inserted, placed, its status changed, paid...), most of them about an order that did not change since the previous
/// one: those need no re-evaluation.
/// </summary>
public interface IReevaluatedOrderTracker
{
    /// <summary>
    /// Whether the customer was re-evaluated in this request after an event about the order, the order being as it is
    /// now in everything the rules read, and its items not changed since
    /// </summary>
    /// <param name="order">The order of an event</param>
    bool IsUnchanged(Order order);

    /// <summary>
    /// Remembers that the order's customer was re-evaluated with the order as it is now
    /// </summary>
    /// <param name="order">The order</param>
    void Reevaluated(Order order);

    /// <summary>
    /// Forgets the order: its items changed, or its customer's re-evaluation is about to start, was queued, or failed
    /// </summary>
    /// <param name="orderId">The order's id</param>
    void Forget(int orderId);
}
