namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// The rule fields whose figures the plugin keeps from the orders (see docs/order-statistics.md), by the table that holds them
/// </summary>
public static class OrderFigureFields
{
    /// <summary>
    /// Fields whose conditions read the plugin's order statistics instead of the orders
    /// </summary>
    public static readonly IReadOnlySet<string> OrderStatisticsFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.OrderCount, RuleFields.TotalSpent, RuleFields.AverageOrderValue, RuleFields.FirstOrderDate,
        RuleFields.LastOrderDate, RuleFields.DaysSinceLastOrder, RuleFields.RefundedOrderCount, RuleFields.CancelledOrderCount,
        RuleFields.RfmRecency, RuleFields.RfmFrequency, RuleFields.RfmMonetary, RuleFields.RfmGroup
    };

    /// <summary>
    /// The RFM fields: their scores are relative to all buying customers
    /// </summary>
    public static readonly IReadOnlySet<string> RfmFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.RfmRecency, RuleFields.RfmFrequency, RuleFields.RfmMonetary, RuleFields.RfmGroup
    };

    /// <summary>
    /// The fields read from the purchases per customer and day (kept with the order statistics) when those are current
    /// </summary>
    public static readonly IReadOnlySet<string> DailyPurchasesFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.OrderCountInPeriod, RuleFields.SpentInPeriod
    };

    /// <summary>
    /// The fields read from the products bought per customer (kept with the order statistics) when those are current
    /// </summary>
    public static readonly IReadOnlySet<string> PurchasedProductFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.BoughtProducts, RuleFields.BoughtCategories, RuleFields.BoughtManufacturers
    };

    /// <summary>
    /// The fields whose figures the plugin keeps from the orders: statistics, purchases per day, products bought
    /// </summary>
    public static readonly IReadOnlySet<string> KeptOrderFields =
        OrderStatisticsFields.Concat(DailyPurchasesFields).Concat(PurchasedProductFields).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The fields read from the order statistics that a customer's refresh writes: all but the RFM scores, which are
    /// ranked among all buyers by the scheduled rebuild
    /// </summary>
    public static readonly IReadOnlySet<string> OrderStatisticsFieldsBesidesRfm =
        OrderStatisticsFields.Except(RfmFields).ToHashSet(StringComparer.Ordinal);
}
