namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Measures of a segment, computed set-based in the database
/// </summary>
public interface ISegmentAnalyticsService
{
    /// <summary>
    /// The number of members at the end of each day of the period, days of the store's time zone
    /// </summary>
    Task<IList<SegmentSizePoint>> GetSizeOverTimeAsync(int segmentId, DateTime fromUtc, DateTime toUtc);

    /// <summary>
    /// The members' purchases against the whole shop's (purchases as the settings define them)
    /// </summary>
    Task<SegmentRevenueShare> GetRevenueShareAsync(int segmentId, int storeId, DateTime? fromUtc, DateTime? toUtc);

    /// <summary>
    /// Members by recency (rows) and frequency (columns) score over the RFM window
    /// </summary>
    Task<RfmGrid> GetRfmGridAsync(int segmentId, int storeId);

    /// <summary>
    /// How the members spread over a numeric measure
    /// </summary>
    /// <param name="bucketCount">
    /// Null for the default buckets (ages and order counts in familiar steps, total spent in ten); otherwise that many
    /// buckets of one round width from 0 (the last one open), between <see cref="HistogramBucketLimits.Min"/> and
    /// <see cref="HistogramBucketLimits.Max"/>
    /// </param>
    Task<IList<HistogramBucket>> GetHistogramAsync(int segmentId, int storeId, SegmentHistogramField field, DateTime nowUtc, int? bucketCount);

    /// <summary>
    /// How many members of the segment are also members of each other segment (only those sharing any)
    /// </summary>
    Task<IList<SegmentOverlap>> GetOverlapAsync(int segmentId);
}

/// <summary>
/// The members at the end of a day of the store's time zone
/// </summary>
public record SegmentSizePoint(DateTime Day, int Members);

public record SegmentRevenueShare(
    int Members,
    int MemberOrders,
    decimal MemberRevenue,
    int ShopCustomers,
    int ShopCustomerOrders,
    int ShopOrders,
    decimal ShopRevenue)
{
    public decimal RevenueShare => ShopRevenue == 0 ? 0 : MemberRevenue / ShopRevenue;

    public decimal OrderShare => ShopOrders == 0 ? 0 : (decimal)MemberOrders / ShopOrders;

    public decimal MemberAverageOrderValue => MemberOrders == 0 ? 0 : MemberRevenue / MemberOrders;

    public decimal ShopAverageOrderValue => ShopOrders == 0 ? 0 : ShopRevenue / ShopOrders;

    public decimal OrdersPerMember => Members == 0 ? 0 : (decimal)MemberOrders / Members;

    public decimal OrdersPerShopCustomer => ShopCustomers == 0 ? 0 : (decimal)ShopCustomerOrders / ShopCustomers;
}

/// <summary>
/// Counts[r - 1, f - 1]: members with recency score r and frequency score f (5 is best);
/// members without purchases in the window are counted apart
/// </summary>
public record RfmGrid(int[,] Counts, int WithoutPurchases, int WindowDays);

public enum SegmentHistogramField
{
    Age,
    TotalSpent,
    OrderCount
}

/// <summary>
/// Members whose value is in [From, To); To null for the last, open bucket; both null for "unknown"
/// </summary>
public record HistogramBucket(decimal? From, decimal? To, int Members);

public record SegmentOverlap(int SegmentId, int SharedMembers);

/// <summary>
/// How many buckets the admin can ask the histogram for
/// </summary>
public static class HistogramBucketLimits
{
    public const int Min = 2;

    public const int Max = 30;
}
