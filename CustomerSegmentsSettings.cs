using Nop.Core.Configuration;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;

namespace Nop.Plugin.Misc.CustomerSegments;

/// <summary>
/// Settings of the customer segments plugin
/// </summary>
public class CustomerSegmentsSettings : ISettings
{
    /// <summary>
    /// Whether guests (customers who never registered) can be members of segments
    /// </summary>
    public bool IncludeGuests { get; set; }

    /// <summary>
    /// Payment statuses (ids) of the orders that count as purchases
    /// </summary>
    public List<int> PurchasePaymentStatusIds { get; set; } = [(int)PaymentStatus.Paid];

    /// <summary>
    /// Order statuses (ids) of the orders that never count as purchases
    /// </summary>
    public List<int> ExcludedOrderStatusIds { get; set; } = [(int)OrderStatus.Cancelled];

    /// <summary>
    /// Interval of the scheduled rebuild of time-based segments, in seconds
    /// </summary>
    public int RebuildIntervalSeconds { get; set; } = CustomerSegmentsDefaults.DefaultRebuildIntervalSeconds;

    /// <summary>
    /// Every how many hours the scheduled task rebuilds every segment, not only the time-based ones (0: never);
    /// it corrects memberships an event could not update (a failed event, data changed outside nopCommerce's events)
    /// </summary>
    public int FullRebuildIntervalHours { get; set; } = CustomerSegmentsDefaults.DefaultFullRebuildIntervalHours;

    /// <summary>
    /// When the scheduled task last rebuilt every segment; null until it first does. Kept by the plugin, not edited by the admin.
    /// </summary>
    public DateTime? LastFullRebuildOnUtc { get; set; }

    /// <summary>
    /// How many days back the RFM scores look
    /// </summary>
    public int RfmWindowDays { get; set; } = 365;

    /// <summary>
    /// The settings the order statistics were last filled with (see CustomerOrderStatisticsService.SettingsKey);
    /// null until the first full refresh. Kept by the plugin, not edited by the admin.
    /// </summary>
    public string OrderStatisticsKey { get; set; }

    /// <summary>
    /// The moment (end of the RFM window) the order statistics were last refreshed for all customers; null until
    /// the first full refresh. The next refresh recomputes only the customers whose orders crossed the window's
    /// start, or were placed, since then. Kept by the plugin, not edited by the admin.
    /// </summary>
    public DateTime? OrderStatisticsRefreshedOnUtc { get; set; }

    /// <summary>
    /// When the full recompute of the order figures now running started; null when none runs. It writes the figures a
    /// range of customers at a time, each range in a transaction that holds its rows until it commits, and takes
    /// minutes in a large shop: the order events meanwhile queue their customers for the scheduled task instead of
    /// waiting for a range or refreshing figures it is about to write. Kept by the plugin, not edited by the admin.
    /// </summary>
    public DateTime? OrderStatisticsRecomputeStartedOnUtc { get; set; }

    /// <summary>
    /// Whether shoppers see the messages of the discounts their segments unlock
    /// </summary>
    public bool WidgetEnabled { get; set; }

    /// <summary>
    /// Public widget zones where the messages are shown
    /// </summary>
    public List<string> WidgetZones { get; set; } = [];
}
