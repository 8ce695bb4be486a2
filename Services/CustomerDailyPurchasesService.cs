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
    /// The customer's row and orders of one UTC day, as <see cref="ReadCustomerAsync"/> reads all his days
    /// </summary>
    protected virtual Task<(List<CustomerDailyPurchases> Rows, List<DailyStatusAggregate> Groups)> ReadCustomerDayAsync(int customerId, DateTime day)
    {
        var next = day.AddDays(1);

        return ReadAsync(customerId, _dailyPurchasesRepository.Table.Where(r => r.CustomerId == customerId && r.Day >= day && r.Day < next),
            _orderRepository.Table.Where(o => o.CustomerId == customerId && !o.Deleted && o.CreatedOnUtc >= day && o.CreatedOnUtc < next));
    }

    private static async Task<(List<CustomerDailyPurchases> Rows, List<DailyStatusAggregate> Groups)> ReadAsync(int customerId,
        IQueryable<CustomerDailyPurchases> customerRows, IQueryable<Order> customerOrders)
    {
        var rows = customerRows
            .Select(r => new DailyPurchasesRead
            {
                RowId = r.Id, StoreId = r.StoreId, Day = r.Day, PaymentStatusId = 0, OrderStatusId = 0, Count = r.OrderCount, Total = r.TotalSpent
            });
        var groups = customerOrders
            .GroupBy(o => new { o.StoreId, o.CreatedOnUtc.Date, o.PaymentStatusId, o.OrderStatusId })
            .Select(g => new DailyPurchasesRead
            {
                RowId = 0, StoreId = g.Key.StoreId, Day = g.Key.Date, PaymentStatusId = g.Key.PaymentStatusId, OrderStatusId = g.Key.OrderStatusId,
                Count = g.Count(), Total = g.Sum(o => o.OrderTotal)
            });

        var read = await rows.Concat(groups).ToListAsync();

        return (read.Where(r => r.RowId > 0).Select(r => new CustomerDailyPurchases
            {
                Id = r.RowId, CustomerId = customerId, StoreId = r.StoreId, Day = r.Day, OrderCount = r.Count, TotalSpent = r.Total
            }).ToList(),
            read.Where(r => r.RowId <= 0).Select(r => new DailyStatusAggregate
            {
                StoreId = r.StoreId, Day = r.Day, PaymentStatusId = r.PaymentStatusId, OrderStatusId = r.OrderStatusId, Count = r.Count, Total = r.Total
            }).ToList());
    }

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

    public virtual async Task<bool> RefreshCustomerDayAsync(int customerId, DateTime dayUtc)
    {
        if (customerId <= 0)
            return false;

        var (rows, groups) = await ReadCustomerDayAsync(customerId, DayOf(dayUtc));

        return await WriteChangesAsync(customerId, rows, groups);
    }

    public virtual async Task<IReadOnlyList<CustomerDailyPurchases>> GetCustomerDaysAsync(int customerId) =>
        await _dailyPurchasesRepository.Table.Where(r => r.CustomerId == customerId).ToListAsync();

    #endregion

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
    public int RowId { get; set; }

    public int StoreId { get; set; }

    public DateTime Day { get; set; }

    public int PaymentStatusId { get; set; }

    public int OrderStatusId { get; set; }

    public int Count { get; set; }

    public decimal Total { get; set; }
}

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
