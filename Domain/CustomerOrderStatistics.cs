using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// A customer's orders summed up for one store (<see cref="StoreId"/> 0: all stores), kept by the plugin so that
/// rules on order behaviour read one indexed row per customer instead of aggregating the orders. Which orders
/// count as purchases follows the plugin's settings. Counts, totals and dates are refreshed for a customer when
/// their orders change; the RFM figures are relative to all buying customers and are refreshed by the scheduled
/// rebuild only.
/// </summary>
public class CustomerOrderStatistics : BaseEntity
{
    public int CustomerId { get; set; }

    public int StoreId { get; set; }

    /// <summary>
    /// Orders that count as purchases
    /// </summary>
    public int OrderCount { get; set; }

    /// <summary>
    /// Sum of the totals of the purchases
    /// </summary>
    public decimal TotalSpent { get; set; }

    /// <summary>
    /// Date of the first purchase, null without purchases
    /// </summary>
    public DateTime? FirstOrderOnUtc { get; set; }

    /// <summary>
    /// Date of the last purchase, null without purchases
    /// </summary>
    public DateTime? LastOrderOnUtc { get; set; }

    /// <summary>
    /// Orders (not deleted) refunded in full or in part
    /// </summary>
    public int RefundedOrderCount { get; set; }

    /// <summary>
    /// Orders (not deleted) with the cancelled status
    /// </summary>
    public int CancelledOrderCount { get; set; }

    /// <summary>
    /// Purchases within the RFM window (measured when the figures were refreshed)
    /// </summary>
    public int RfmOrderCount { get; set; }

    /// <summary>
    /// Sum of the purchases within the RFM window
    /// </summary>
    public decimal RfmTotalSpent { get; set; }

    /// <summary>
    /// RFM recency score 1-5 among the buying customers of the store, 0 when not scored
    /// </summary>
    public int RecencyScore { get; set; }

    /// <summary>
    /// RFM frequency score 1-5, 0 when not scored
    /// </summary>
    public int FrequencyScore { get; set; }

    /// <summary>
    /// RFM monetary score 1-5, 0 when not scored
    /// </summary>
    public int MonetaryScore { get; set; }
}
