using System.Linq.Expressions;
using LinqToDB;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Fills the purchases per customer, store and day with one INSERT ... SELECT of the purchases grouped by customer,
/// store and UTC day; keeps a few customers current with set-based statements that write only the days that differ,
/// and one customer with two small reads and a write per differing day. Orders of every store id are kept (a rule for
/// all stores sums them up), as the rules' reading of the raw orders counts them.
/// </summary>
public class CustomerDailyPurchasesService : ICustomerDailyPurchasesService
{
    protected readonly CustomerSegmentsSettings _settings;
    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<Order> _orderRepository;
    protected readonly IRepository<CustomerDailyPurchases> _dailyPurchasesRepository;
    protected readonly ISegmentMembershipTransaction _segmentMembershipTransaction;

    public CustomerDailyPurchasesService(CustomerSegmentsSettings settings,
        INopDataProvider dataProvider,
        IRepository<Order> orderRepository,
        IRepository<CustomerDailyPurchases> dailyPurchasesRepository,
        ISegmentMembershipTransaction segmentMembershipTransaction)
    {
        _settings = settings;
        _dataProvider = dataProvider;
        _orderRepository = orderRepository;
        _dailyPurchasesRepository = dailyPurchasesRepository;
        _segmentMembershipTransaction = segmentMembershipTransaction;
    }

    #region Utilities

    protected virtual ITable<CustomerDailyPurchases> DailyPurchasesTable =>
        (ITable<CustomerDailyPurchases>)_dataProvider.GetTable<CustomerDailyPurchases>();

    /// <summary>
    /// The purchases summed up per customer, store and UTC day
    /// </summary>
    protected virtual IQueryable<DailyPurchasesAggregate> AggregateDays(IQueryable<Order> orders) =>
        from o in SegmentQueries.Purchases(orders, _settings)
        group o by new { o.CustomerId, o.StoreId, o.CreatedOnUtc.Date } into g
        select new DailyPurchasesAggregate
        {
            CustomerId = g.Key.CustomerId,
            StoreId = g.Key.StoreId,
            Day = g.Key.Date,
            OrderCount = g.Count(),
            TotalSpent = g.Sum(o => o.OrderTotal)
        };

    protected virtual Task<int> InsertAsync(IQueryable<DailyPurchasesAggregate> aggregates) =>
        aggregates.InsertAsync(DailyPurchasesTable, a => new CustomerDailyPurchases
        {
            CustomerId = a.CustomerId,
            StoreId = a.StoreId,
            Day = a.Day,
            OrderCount = a.OrderCount,
            TotalSpent = a.TotalSpent
        });

    /// <summary>
    /// Brings the rows of some customers in line with their orders: differing days updated, missing days added,
    /// days without purchases any more removed
    /// </summary>
    /// <param name="ordersOfCustomers">The customers' orders</param>
    /// <param name="rowsOfCustomers">The customers' rows</param>
    protected virtual async Task ReconcileAsync(Expression<Func<Order, bool>> ordersOfCustomers,
        Expression<Func<CustomerDailyPurchases, bool>> rowsOfCustomers)
    {
        //the customers' rows only: matched by the index on CustomerId (unrestricted, PostgreSQL scanned the whole table per batch)
        var rows = _dailyPurchasesRepository.Table.Where(rowsOfCustomers);
        var days = AggregateDays(_orderRepository.Table.Where(ordersOfCustomers)).AsSubQuery();

        var differing = from r in rows
            join a in days on new { r.CustomerId, r.StoreId, r.Day } equals new { a.CustomerId, a.StoreId, a.Day }
            where r.OrderCount != a.OrderCount || r.TotalSpent != a.TotalSpent
            select new { Row = r, Figures = a };
        await differing.UpdateAsync(x => x.Row, x => new CustomerDailyPurchases
        {
            OrderCount = x.Figures.OrderCount,
            TotalSpent = x.Figures.TotalSpent
        });

        await InsertAsync(days.Where(a => !rows.Any(r => r.CustomerId == a.CustomerId && r.StoreId == a.StoreId && r.Day == a.Day)));

        await rows
            .Where(r => !days.Any(a => a.CustomerId == r.CustomerId && a.StoreId == r.StoreId && a.Day == r.Day))
            .DeleteAsync();
    }

    /// <summary>
    /// The customer's orders (not deleted) summed up per store, UTC day, payment status and order status: a few rows,
    /// classified into purchases by <see cref="SummarizeDays"/>. The statement holds no list of statuses, so linq2db
    /// reuses its SQL from event to event.
    /// </summary>
    protected virtual Task<List<DailyStatusAggregate>> AggregateCustomerDaysAsync(int customerId) =>
        _orderRepository.Table
            .Where(o => o.CustomerId == customerId && !o.Deleted)
            .GroupBy(o => new { o.StoreId, o.CreatedOnUtc.Date, o.PaymentStatusId, o.OrderStatusId })
            .Select(g => new DailyStatusAggregate
            {
                StoreId = g.Key.StoreId,
                Day = g.Key.Date,
                PaymentStatusId = g.Key.PaymentStatusId,
                OrderStatusId = g.Key.OrderStatusId,
                Count = g.Count(),
                Total = g.Sum(o => o.OrderTotal)
            })
            .ToListAsync();

    /// <summary>
    /// The customer's rows and orders (summed up as <see cref="AggregateCustomerDaysAsync"/> does) in one statement,
    /// so one round trip and one snapshot
    /// </summary>
    protected virtual Task<(List<CustomerDailyPurchases> Rows, List<DailyStatusAggregate> Groups)> ReadCustomerAsync(int customerId) =>
        ReadAsync(customerId, _dailyPurchasesRepository.Table.Where(r => r.CustomerId == customerId),
            _orderRepository.Table.Where(o => o.CustomerId == customerId && !o.Deleted));

    /// <summary>
    /// The customer's row and orders of one UTC day, as <see cref="ReadCustomerAsync"/> reads all his days, in one
    /// statement with his purchases in the periods starting at the moments given (see <see cref="CustomerPeriodPurchases"/>)
    /// </summary>
    protected virtual async Task<(List<CustomerDailyPurchases> Rows, List<DailyStatusAggregate> Groups, PeriodsRead Periods)> ReadCustomerDayAsync(
        int customerId, DateTime day, IReadOnlyCollection<DateTime> periodStartsUtc)
    {
        var next = day.AddDays(1);
        var orders = _orderRepository.Table.Where(o => o.CustomerId == customerId && !o.Deleted);
        var parts = RowsRead(_dailyPurchasesRepository.Table.Where(r => r.CustomerId == customerId && r.Day >= day && r.Day < next), DailyPurchasesRead.DayPart)
            .Concat(GroupsRead(orders.Where(o => o.CreatedOnUtc >= day && o.CreatedOnUtc < next), DailyPurchasesRead.DayPart));

        var starts = (periodStartsUtc ?? []).Select(start => DateTime.SpecifyKind(start, DateTimeKind.Utc)).Distinct().Order().ToList();
        if (starts.Count > 0)
        {
            var firstWholeDay = CustomerPeriodPurchases.FirstWholeDay(starts[0]);
            parts = parts.Concat(RowsRead(_dailyPurchasesRepository.Table.Where(r => r.CustomerId == customerId && r.Day >= firstWholeDay),
                DailyPurchasesRead.PeriodsPart));
            for (var index = 0; index < starts.Count; index++)
            {
                var (from, to) = (starts[index], CustomerPeriodPurchases.FirstWholeDay(starts[index]));
                if (from < to)
                    parts = parts.Concat(GroupsRead(orders.Where(o => o.CreatedOnUtc >= from && o.CreatedOnUtc < to), DailyPurchasesRead.FirstDayPart(index)));
            }
        }

        var read = await parts.ToListAsync();
        var (rows, groups) = Split(customerId, read.Where(r => r.Part == DailyPurchasesRead.DayPart));
        if (starts.Count == 0)
            return (rows, groups, null);

        var periodRows = read.Where(r => r.Part == DailyPurchasesRead.PeriodsPart).Select(r => ToRow(customerId, r)).ToList();
        var restOfFirstDays = starts.Select((start, index) => (start, index)).ToDictionary(item => item.start,
            item => read.Where(r => r.Part == DailyPurchasesRead.FirstDayPart(item.index)).Select(ToGroup).ToList());

        return (rows, groups, new PeriodsRead(periodRows, restOfFirstDays));
    }

    private static IQueryable<DailyPurchasesRead> RowsRead(IQueryable<CustomerDailyPurchases> customerRows, int part) =>
        customerRows.Select(r => new DailyPurchasesRead
        {
            Part = part, RowId = r.Id, StoreId = r.StoreId, Day = r.Day, PaymentStatusId = 0, OrderStatusId = 0, Count = r.OrderCount, Total = r.TotalSpent
        });

    private static IQueryable<DailyPurchasesRead> GroupsRead(IQueryable<Order> customerOrders, int part) =>
        customerOrders
            .GroupBy(o => new { o.StoreId, o.CreatedOnUtc.Date, o.PaymentStatusId, o.OrderStatusId })
            .Select(g => new DailyPurchasesRead
            {
                Part = part, RowId = 0, StoreId = g.Key.StoreId, Day = g.Key.Date, PaymentStatusId = g.Key.PaymentStatusId,
                OrderStatusId = g.Key.OrderStatusId, Count = g.Count(), Total = g.Sum(o => o.OrderTotal)
            });

    private static async Task<(List<CustomerDailyPurchases> Rows, List<DailyStatusAggregate> Groups)> ReadAsync(int customerId,
        IQueryable<CustomerDailyPurchases> customerRows, IQueryable<Order> customerOrders) =>
        Split(customerId, await RowsRead(customerRows, DailyPurchasesRead.DayPart).Concat(GroupsRead(customerOrders, DailyPurchasesRead.DayPart)).ToListAsync());

    private static (List<CustomerDailyPurchases> Rows, List<DailyStatusAggregate> Groups) Split(int customerId, IEnumerable<DailyPurchasesRead> read)
    {
        var lines = read.ToList();

        return (lines.Where(r => r.RowId > 0).Select(r => ToRow(customerId, r)).ToList(), lines.Where(r => r.RowId <= 0).Select(ToGroup).ToList());
    }

    private static CustomerDailyPurchases ToRow(int customerId, DailyPurchasesRead read) => new()
    {
        Id = read.RowId, CustomerId = customerId, StoreId = read.StoreId, Day = read.Day, OrderCount = read.Count, TotalSpent = read.Total
    };

    private static DailyStatusAggregate ToGroup(DailyPurchasesRead read) => new()
    {
        StoreId = read.StoreId, Day = read.Day, PaymentStatusId = read.PaymentStatusId, OrderStatusId = read.OrderStatusId, Count = read.Count, Total = read.Total
    };

    /// <summary>
    /// The customer's purchases per store and day from the order groups, as <see cref="AggregateDays"/> computes them
    /// </summary>
    protected virtual Dictionary<(int StoreId, DateTime Day), (int OrderCount, decimal TotalSpent)> SummarizeDays(IEnumerable<DailyStatusAggregate> groups)
    {
        var days = new Dictionary<(int, DateTime), (int OrderCount, decimal TotalSpent)>();
        foreach (var group in groups)
        {
            if (!SegmentQueries.IsPurchase(_settings, group.PaymentStatusId, group.OrderStatusId))
                continue;

            var key = (group.StoreId, DayOf(group.Day));
            var (count, total) = days.GetValueOrDefault(key);
            days[key] = (count + group.Count, total + group.Total);
        }

        return days;
    }

    private static DateTime DayOf(DateTime value) => DateTime.SpecifyKind(value.Date, DateTimeKind.Utc);

    /// <summary>
    /// The writes that bring the rows to the days: rows to update (with their new figures), to insert, to delete
    /// </summary>
    private static DailyPurchasesChanges Compare(int customerId, IEnumerable<CustomerDailyPurchases> rows,
        Dictionary<(int StoreId, DateTime Day), (int OrderCount, decimal TotalSpent)> days)
    {
        var changes = new DailyPurchasesChanges();
        var seen = new HashSet<(int, DateTime)>();
        foreach (var row in rows)
        {
            var key = (row.StoreId, DayOf(row.Day));
            if (!seen.Add(key) || !days.TryGetValue(key, out var figures))
                changes.Deleted.Add(row);
            else if (row.OrderCount != figures.OrderCount || row.TotalSpent != figures.TotalSpent)
                changes.Updated.Add((row, figures.OrderCount, figures.TotalSpent));
        }

        foreach (var ((storeId, day), (count, total)) in days.Where(pair => !seen.Contains(pair.Key)))
        {
            changes.Inserted.Add(new CustomerDailyPurchases
            {
                CustomerId = customerId,
                StoreId = storeId,
                Day = day,
                OrderCount = count,
                TotalSpent = total
            });
        }

        return changes;
    }

    /// <summary>
    /// The row still has the figures it was read with (money compared by difference: SQLite receives decimal
    /// parameters as text)
    /// </summary>
    protected virtual Expression<Func<CustomerDailyPurchases, bool>> Unchanged(CustomerDailyPurchases row)
    {
        var id = row.Id;
        var orderCount = row.OrderCount;
        var totalSpent = row.TotalSpent;

        return r => r.Id == id && r.OrderCount == orderCount && r.TotalSpent - totalSpent == 0m;
    }

    /// <summary>
    /// Applies the changes without a transaction, each update and delete only where the row is still as read, each
    /// insert guarded by the unique index
    /// </summary>
    /// <returns>Whether every write applied (else another refresh wrote meanwhile, or a write met a lock conflict)</returns>
    protected virtual async Task<bool> TryWriteIfUnchangedAsync(DailyPurchasesChanges changes)
    {
        try
        {
            foreach (var (row, orderCount, totalSpent) in changes.Updated)
            {
                var written = await _dailyPurchasesRepository.Table
                    .Where(Unchanged(row))
                    .Set(r => r.OrderCount, orderCount)
                    .Set(r => r.TotalSpent, totalSpent)
                    .UpdateAsync();
                if (written != 1)
                    return false;
            }

            foreach (var row in changes.Deleted)
            {
                if (await _dailyPurchasesRepository.Table.Where(Unchanged(row)).DeleteAsync() != 1)
                    return false;
            }

            foreach (var row in changes.Inserted)
                await _dailyPurchasesRepository.InsertAsync(row, false);

            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Refreshes one customer in a transaction: the customer's rows locked, the orders read, then only the days that
    /// differ written. A day inserted by a refresh committed meanwhile fails the INSERT (unique index): the
    /// transaction runs again.
    /// </summary>
    protected virtual async Task<bool> RefreshLockedAsync(int customerId)
    {
        var written = false;
        await _segmentMembershipTransaction.RunAsync(async () =>
        {
            written = false;
            await _dailyPurchasesRepository.Table
                .Where(r => r.CustomerId == customerId)
                .Set(r => r.OrderCount, r => r.OrderCount)
                .UpdateAsync();

            var days = SummarizeDays(await AggregateCustomerDaysAsync(customerId));
            var rows = await _dailyPurchasesRepository.Table.Where(r => r.CustomerId == customerId).ToListAsync();
            var changes = Compare(customerId, rows, days);

            foreach (var (row, orderCount, totalSpent) in changes.Updated)
            {
                row.OrderCount = orderCount;
                row.TotalSpent = totalSpent;
                await _dailyPurchasesRepository.UpdateAsync(row, false);
            }

            foreach (var row in changes.Deleted)
                await _dailyPurchasesRepository.DeleteAsync(row, false);

            foreach (var row in changes.Inserted)
                await _dailyPurchasesRepository.InsertAsync(row, false);

            written = changes.Count > 0;
        });

        return written;
    }

    /// <summary>
    /// Writes what differs between the rows and the order groups read together (the same days on both sides), only
    /// where the rows are still as read; otherwise the customer's refresh under the rows' lock
    /// </summary>
    /// <returns>Whether a row was written</returns>
    protected virtual async Task<bool> WriteChangesAsync(int customerId, List<CustomerDailyPurchases> rows, List<DailyStatusAggregate> groups)
    {
        var changes = Compare(customerId, rows, SummarizeDays(groups));
        if (changes.Count == 0)
            return false;

        if (await TryWriteIfUnchangedAsync(changes))
            return true;

        return await RefreshLockedAsync(customerId);
    }

    /// <summary>
    /// The customer's purchases in the periods read, with the refreshed day as its orders make it (as the refresh wrote it)
    /// </summary>
    protected virtual CustomerPeriodPurchases PurchasesOfPeriods(int customerId, DateTime day, List<DailyStatusAggregate> dayGroups, PeriodsRead periods)
    {
        IReadOnlyList<CustomerDailyPurchases> asRows(List<DailyStatusAggregate> groups) => SummarizeDays(groups)
            .Select(pair => new CustomerDailyPurchases
            {
                CustomerId = customerId, StoreId = pair.Key.StoreId, Day = pair.Key.Day, OrderCount = pair.Value.OrderCount, TotalSpent = pair.Value.TotalSpent
            })
            .ToList();

        var days = periods.Days.Where(row => DayOf(row.Day) != day).Concat(asRows(dayGroups)).ToList();

        return new CustomerPeriodPurchases(days, periods.RestOfFirstDays.ToDictionary(pair => pair.Key, pair => asRows(pair.Value)));
    }

    #endregion

    #region Methods

    public virtual async Task RecomputeCustomersAsync(CustomerIdRange range)
    {
        await range.Of(_dailyPurchasesRepository.Table, r => r.CustomerId).DeleteAsync();
        await InsertAsync(AggregateDays(range.Of(_orderRepository.Table, o => o.CustomerId)));
    }

    public virtual async Task RefreshCustomersAsync(IList<int> customerIds)
    {
        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        if (ids.Count == 1)
        {
            await RefreshCustomerAsync(ids[0]);
            return;
        }

        foreach (var batch in ids.Chunk(CustomerOrderStatisticsService.CustomerBatchSize))
        {
            //a day inserted by a refresh committed meanwhile fails the INSERT (unique index): run again
            await _segmentMembershipTransaction.RunAsync(() =>
                ReconcileAsync(o => batch.Contains(o.CustomerId), r => batch.Contains(r.CustomerId)));
        }
    }

    public virtual async Task<bool> RefreshCustomerAsync(int customerId)
    {
        if (customerId <= 0)
            return false;

        //rows and orders from one snapshot: a refresh that writes after it makes the guarded writes fail
        var (rows, groups) = await ReadCustomerAsync(customerId);

        return await WriteChangesAsync(customerId, rows, groups);
    }

    public virtual async Task<CustomerDayRefresh> RefreshCustomerDayAsync(int customerId, DateTime dayUtc, IReadOnlyCollection<DateTime> periodStartsUtc = null)
    {
        if (customerId <= 0)
            return new CustomerDayRefresh(false, null);

        var day = DayOf(dayUtc);
        var (rows, groups, periods) = await ReadCustomerDayAsync(customerId, day, periodStartsUtc ?? []);
        var written = await WriteChangesAsync(customerId, rows, groups);

        return new CustomerDayRefresh(written, periods == null ? null : PurchasesOfPeriods(customerId, day, groups, periods));
    }

    public virtual async Task<IReadOnlyList<CustomerDailyPurchases>> GetCustomerDaysAsync(int customerId) =>
        await _dailyPurchasesRepository.Table.Where(r => r.CustomerId == customerId).ToListAsync();

    #endregion

    /// <summary>
    /// What the read of a customer's day read of the periods: his rows from the earliest period's first whole day, and per
    /// period start his orders of the rest of its day
    /// </summary>
    protected record PeriodsRead(List<CustomerDailyPurchases> Days, Dictionary<DateTime, List<DailyStatusAggregate>> RestOfFirstDays);

    /// <summary>
    /// The writes of one customer's refresh
    /// </summary>
    protected class DailyPurchasesChanges
    {
        public List<(CustomerDailyPurchases Row, int OrderCount, decimal TotalSpent)> Updated { get; } = [];

        public List<CustomerDailyPurchases> Inserted { get; } = [];

        public List<CustomerDailyPurchases> Deleted { get; } = [];

        public int Count => Updated.Count + Inserted.Count + Deleted.Count;
    }
}

/// <summary>
/// A customer's purchases in one store on one day summed up
/// </summary>
public class DailyPurchasesAggregate
{
    public int CustomerId { get; set; }

    public int StoreId { get; set; }

    public DateTime Day { get; set; }

    public int OrderCount { get; set; }

    public decimal TotalSpent { get; set; }
}

/// <summary>
/// One line of the read of a customer's rows (<see cref="RowId"/> set) and order groups (<see cref="RowId"/> 0)
/// </summary>
public class DailyPurchasesRead
{
    /// <summary>
    /// The part of the read: the day refreshed
    /// </summary>
    public const int DayPart = 0;

    /// <summary>
    /// The part of the read: the rows of the periods' whole days
    /// </summary>
    public const int PeriodsPart = 1;

    /// <summary>
    /// Which part of the read the line belongs to (see <see cref="DayPart"/>, <see cref="PeriodsPart"/>, <see cref="FirstDayPart"/>)
    /// </summary>
    public int Part { get; set; }

    public int RowId { get; set; }

    public int StoreId { get; set; }

    public DateTime Day { get; set; }

    public int PaymentStatusId { get; set; }

    public int OrderStatusId { get; set; }

    public int Count { get; set; }

    public decimal Total { get; set; }

    /// <summary>
    /// The part of the read: the orders of the rest of the first day of the period of the start at the index
    /// </summary>
    public static int FirstDayPart(int startIndex) => 2 + startIndex;
}

/// <summary>
/// What the refresh of one of a customer's days did: whether a row was written, and his purchases in the periods
/// asked for as the refresh left them (null when none was asked for)
/// </summary>
public record CustomerDayRefresh(bool Written, CustomerPeriodPurchases Periods);

/// <summary>
/// A customer's orders in one store on one day with one payment status and one order status summed up
/// </summary>
public class DailyStatusAggregate
{
    public int StoreId { get; set; }

    public DateTime Day { get; set; }

    public int PaymentStatusId { get; set; }

    public int OrderStatusId { get; set; }

    public int Count { get; set; }

    public decimal Total { get; set; }
}
