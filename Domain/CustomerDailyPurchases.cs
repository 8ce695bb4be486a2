using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// A customer's purchases in one store on one day (UTC), kept by the plugin with the order statistics so that rules
/// on the purchases of a period (order count or amount spent in the last days) read a range of days instead of
/// aggregating the orders. Which orders count as purchases follows the plugin's settings. The part of the period's
/// first day after its start moment is read from the orders.
/// </summary>
public class CustomerDailyPurchases : BaseEntity
{
    public int CustomerId { get; set; }

    /// <summary>
    /// The orders' store (rules for all stores sum up the stores)
    /// </summary>
    public int StoreId { get; set; }

    /// <summary>
    /// The day (UTC, at midnight) the orders were placed
    /// </summary>
    public DateTime Day { get; set; }

    /// <summary>
    /// Purchases placed that day
    /// </summary>
    public int OrderCount { get; set; }

    /// <summary>
    /// Sum of their totals
    /// </summary>
    public decimal TotalSpent { get; set; }
}
