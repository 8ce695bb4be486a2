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
    /// The time of the last full recompute
    /// </summary>
    public double LastRecomputeMilliseconds { get; private set; }

    public override async Task RecomputeAllAsync()
    {
        var watch = Stopwatch.StartNew();
        await base.RecomputeAllAsync();
        LastRecomputeMilliseconds = watch.Elapsed.TotalMilliseconds;
    }
}
