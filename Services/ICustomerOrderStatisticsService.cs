using Nop.Core.Domain.Orders;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Keeps the per-customer order statistics (<see cref="Domain.CustomerOrderStatistics"/>) that rules on order
/// behaviour and RFM read, in set-based statements on the database
/// </summary>
public interface ICustomerOrderStatisticsService
{
    /// <summary>
    /// Whether the statistics were last filled with the current settings (false after the install or after a
    /// change of the purchase statuses, the RFM window or the guests setting: the next rebuild refreshes them)
    /// </summary>
    bool AreCurrent();

    /// <summary>
    /// Brings the statistics of every customer to <paramref name="nowUtc"/>, RFM scores included. When they are
    /// current, in place: only the customers whose orders crossed the start of the RFM window since the last
    /// refresh (or were placed since then) are recomputed, and the scores are re-ranked; only rows that change
    /// are written. Otherwise (never filled, other settings) as <see cref="RecomputeAllAsync"/>.
    /// </summary>
    /// <param name="nowUtc">The moment the RFM window ends</param>
    Task RefreshAllAsync(DateTime nowUtc);

    /// <summary>
    /// Recomputes the statistics of every customer from all orders, RFM scores included (the rows are replaced), with
    /// the purchases per day and the products bought kept with them: a range of customers at a time, each in a
    /// transaction of its own, then the ranking. Meanwhile the figures are not current (see <see cref="AreCurrent"/>).
    /// </summary>
    /// <param name="nowUtc">The moment the RFM window ends</param>
    Task RecomputeAllAsync(DateTime nowUtc);

    /// <summary>
    /// Recomputes the counts, totals and dates of these customers only; their RFM scores stay as the last full
    /// refresh ranked them (RFM is relative to all buying customers)
    /// </summary>
    /// <returns>Whether their figures may have changed: false only when a refresh of one customer wrote nothing</returns>
    Task<bool> RefreshCustomersAsync(IList<int> customerIds, DateTime nowUtc);

    /// <summary>
    /// Recomputes the counts, totals and dates of one customer (what an order event needs); the RFM scores stay
    /// </summary>
    /// <returns>Whether a row was written, and the customer's rows as the refresh left them</returns>
    Task<CustomerStatisticsRefresh> RefreshCustomerAsync(int customerId, DateTime nowUtc);

    /// <summary>
    /// Recomputes the counts, totals and dates of the order's customer after the order was placed or changed (its
    /// status, totals), as <see cref="RefreshCustomerAsync"/> does, with only what the order can change among his
    /// purchases: the purchases of the order's day and the rows of the order's products (an order deleted with its
    /// items, or an item changed, goes through <see cref="RefreshCustomerAsync"/>)
    /// </summary>
    /// <param name="order">The order</param>
    /// <param name="nowUtc">The moment of the refresh</param>
    /// <param name="periodStartsUtc">The starts of the periods whose purchases are read with the order's day (see
    /// <see cref="CustomerStatisticsRefresh.PurchasesOfPeriods"/>); none reads none</param>
    /// <param name="purchaseNames">The products, categories and manufacturers whose rows of the customer are read with the
    /// order's products (see <see cref="CustomerStatisticsRefresh.NamedPurchases"/>); none reads none</param>
    /// <param name="segmentCustomers">Rows of segments' customers read in the same statement as his statistics rows (see
    /// <see cref="CustomerStatisticsRefresh.SegmentCustomers"/>); none reads none</param>
    /// <returns>Whether a row was written (statistics, purchases per day, products bought), the customer's statistics rows, and what was read with them</returns>
    Task<CustomerStatisticsRefresh> RefreshOrderCustomerAsync(Order order, DateTime nowUtc, IReadOnlyCollection<DateTime> periodStartsUtc = null,
        PurchaseNames purchaseNames = null, IQueryable<SegmentCustomer> segmentCustomers = null);

    /// <summary>
    /// The customer's statistics rows as they are (one per store with orders, and one for all stores: store 0)
    /// </summary>
    Task<IReadOnlyList<Domain.CustomerOrderStatistics>> GetCustomerStatisticsAsync(int customerId);
}
