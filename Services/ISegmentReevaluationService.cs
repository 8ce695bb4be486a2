using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Keeps the membership of dynamic segments equal to their rules for the customers an event changed
/// </summary>
public interface ISegmentReevaluationService
{
    /// <summary>
    /// Re-evaluates only these customers, in only the active dynamic segments that read the changed data (and
    /// the segments that reference those), by the same statements as a full rebuild filtered by the ids. A segment
    /// whose statements fail is logged and reported as failed; the others go on.
    /// </summary>
    Task<IList<SegmentRebuildResult>> ReevaluateCustomersAsync(IList<int> customerIds, RuleDataSources changed);

    /// <summary>
    /// Re-evaluates the customer of an order after the order was placed or changed (paid, its status, totals; not
    /// deleted), as <see cref="ReevaluateCustomersAsync"/> does for a change of his orders, with only
    /// what the order can change refreshed among his purchases (its day, its products): segments on the purchases of a
    /// period or on bought products are re-evaluated only when those changed
    /// </summary>
    Task<IList<SegmentRebuildResult>> ReevaluateOrderCustomerAsync(Order order);
}
