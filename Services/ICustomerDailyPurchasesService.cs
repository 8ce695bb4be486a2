namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Keeps the purchases per customer, store and day (<see cref="Domain.CustomerDailyPurchases"/>) that rules on the
/// purchases of a period read. Kept with the order statistics: recomputed when they are, refreshed for a customer
/// when theirs are; current when they are (the same settings key).
/// </summary>
public interface ICustomerDailyPurchasesService
{
    /// <summary>
    /// Replaces the rows of the customers in the range with their purchases (to run inside the transaction in which the
    /// statistics recompute the range)
    /// </summary>
    Task RecomputeCustomersAsync(CustomerIdRange range);

    /// <summary>
    /// Brings the rows of these customers in line with their orders, writing only what differs (set-based)
    /// </summary>
    Task RefreshCustomersAsync(IList<int> customerIds);

    /// <summary>
    /// Brings one customer's rows in line with the customer's orders (what an order event needs): one read of the
    /// rows, one grouped read of the orders, writes only where a day differs
    /// </summary>
    /// <returns>Whether a row was written</returns>
    Task<bool> RefreshCustomerAsync(int customerId);

    /// <summary>
    /// Brings one customer's rows of one UTC day in line with his orders of that day (what a change of one order
    /// needs: only its day can change): one read, writes only where the day differs. The same statement reads his
    /// purchases in the periods starting at the moments given (what the rules on the purchases of a period test), as
    /// the refresh leaves them.
    /// </summary>
    /// <param name="customerId">The customer</param>
    /// <param name="dayUtc">A moment of the day (its UTC date is used)</param>
    /// <param name="periodStartsUtc">The starts of the periods (UTC); none reads no period</param>
    /// <returns>Whether a row was written, and the purchases of the periods</returns>
    Task<CustomerDayRefresh> RefreshCustomerDayAsync(int customerId, DateTime dayUtc, IReadOnlyCollection<DateTime> periodStartsUtc = null);

    /// <summary>
    /// The customer's rows as they are
    /// </summary>
    Task<IReadOnlyList<Domain.CustomerDailyPurchases>> GetCustomerDaysAsync(int customerId);
}
