using System.Diagnostics;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// The plugin's purchases per customer and day, timing the recompute the order statistics' recompute runs, so that
/// the bench reports its share
/// </summary>
public class TimedDailyPurchasesService(CustomerSegmentsSettings settings, INopDataProvider dataProvider, IRepository<Order> orderRepository,
    IRepository<CustomerDailyPurchases> dailyPurchasesRepository, ISegmentMembershipTransaction segmentMembershipTransaction)
    : CustomerDailyPurchasesService(settings, dataProvider, orderRepository, dailyPurchasesRepository, segmentMembershipTransaction)
{
    /// <summary>
    /// The time of the full recompute's ranges, summed
    /// </summary>
    public double RecomputeMilliseconds { get; private set; }

    /// <summary>
    /// The time of the full recompute's longest range
    /// </summary>
    public double LongestRangeMilliseconds { get; private set; }

    public override async Task RecomputeCustomersAsync(CustomerIdRange range)
    {
        var watch = Stopwatch.StartNew();
        await base.RecomputeCustomersAsync(range);
        RecomputeMilliseconds += watch.Elapsed.TotalMilliseconds;
        LongestRangeMilliseconds = Math.Max(LongestRangeMilliseconds, watch.Elapsed.TotalMilliseconds);
    }
}
