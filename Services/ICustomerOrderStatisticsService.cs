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
    /// Recomputes the statistics of every customer, RFM scores included
    /// </summary>
    /// <param name="nowUtc">The moment the RFM window ends</param>
    Task RefreshAllAsync(DateTime nowUtc);

    /// <summary>
    /// Recomputes the counts, totals and dates of these customers only; their RFM scores stay as the last full
    /// refresh ranked them (RFM is relative to all buying customers)
    /// </summary>
    Task RefreshCustomersAsync(IList<int> customerIds, DateTime nowUtc);
}
