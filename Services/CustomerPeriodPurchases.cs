using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// One customer's purchases in periods that start at given moments and run to the end of his purchases, summed up as
/// the rules on the purchases of a period sum them (see <see cref="SegmentQueries.PurchasesOfPeriod"/>): his purchases
/// per day from each period's first whole day, and his purchases in the rest of the day the period starts in
/// </summary>
public class CustomerPeriodPurchases
{
    protected readonly IReadOnlyList<CustomerDailyPurchases> _days;
    protected readonly IReadOnlyDictionary<DateTime, IReadOnlyList<CustomerDailyPurchases>> _restOfFirstDays;

    /// <param name="days">The customer's purchases per store and day, at least from the first whole day of the earliest period</param>
    /// <param name="restOfFirstDays">Per period start, his purchases per store from the start to the end of its day (as rows of that day)</param>
    public CustomerPeriodPurchases(IReadOnlyList<CustomerDailyPurchases> days, IReadOnlyDictionary<DateTime, IReadOnlyList<CustomerDailyPurchases>> restOfFirstDays)
    {
        _days = days ?? [];
        _restOfFirstDays = restOfFirstDays ?? new Dictionary<DateTime, IReadOnlyList<CustomerDailyPurchases>>();
    }

    /// <summary>
    /// The period's first day that counts whole: the start's day when the period starts at midnight, else the next day
    /// </summary>
    public static DateTime FirstWholeDay(DateTime fromUtc) =>
        DateTime.SpecifyKind(fromUtc == fromUtc.Date ? fromUtc.Date : fromUtc.Date.AddDays(1), DateTimeKind.Utc);

    /// <summary>
    /// The starts whose periods are known
    /// </summary>
    public virtual IEnumerable<DateTime> Starts => _restOfFirstDays.Keys;

    /// <summary>
    /// The customer's purchases in the store (0: every store) from the moment on; null when that period was not read
    /// </summary>
    public virtual PeriodAggregateRow GetPurchases(int storeId, DateTime fromUtc)
    {
        if (!_restOfFirstDays.TryGetValue(fromUtc, out var restOfFirstDay))
            return null;

        var firstWholeDay = FirstWholeDay(fromUtc);
        var counted = _days.Where(day => day.Day >= firstWholeDay).Concat(restOfFirstDay)
            .Where(day => storeId == 0 || day.StoreId == storeId)
            .ToList();

        return new PeriodAggregateRow
        {
            CustomerId = counted.FirstOrDefault()?.CustomerId ?? 0,
            OrderCount = counted.Sum(day => day.OrderCount),
            TotalSpent = counted.Sum(day => day.TotalSpent)
        };
    }
}
