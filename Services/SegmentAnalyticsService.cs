using System.Linq.Expressions;
using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Helpers;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Measures of a segment, computed set-based in the database: every query groups or aggregates there and
/// returns at most a few dozen rows
/// </summary>
public class SegmentAnalyticsService : ISegmentAnalyticsService
{
    #region Fields

    /// <summary>
    /// Lower bounds of the order count buckets
    /// </summary>
    public static readonly int[] OrderCountEdges = [0, 1, 2, 3, 5, 10, 20, 50];

    /// <summary>
    /// Lower bounds of the age buckets, in years
    /// </summary>
    public static readonly int[] AgeEdges = [0, 18, 25, 35, 45, 55, 65];

    public const int SpentBuckets = 10;

    protected readonly CustomerSegmentsSettings _settings;
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly IRepository<Order> _orderRepository;
    protected readonly IRepository<CustomerRole> _customerRoleRepository;
    protected readonly IRepository<CustomerCustomerRoleMapping> _customerRoleMappingRepository;
    protected readonly IRepository<CustomerOrderStatistics> _orderStatisticsRepository;
    protected readonly IRepository<CustomerDailyPurchases> _dailyPurchasesRepository;
    protected readonly IDateTimeHelper _dateTimeHelper;

    #endregion

    #region Ctor

    public SegmentAnalyticsService(CustomerSegmentsSettings settings,
        IRepository<Customer> customerRepository,
        IRepository<SegmentMembership> membershipRepository,
        IRepository<Order> orderRepository,
        IRepository<CustomerRole> customerRoleRepository,
        IRepository<CustomerCustomerRoleMapping> customerRoleMappingRepository,
        IRepository<CustomerOrderStatistics> orderStatisticsRepository,
        IRepository<CustomerDailyPurchases> dailyPurchasesRepository,
        IDateTimeHelper dateTimeHelper)
    {
        _settings = settings;
        _customerRepository = customerRepository;
        _membershipRepository = membershipRepository;
        _orderRepository = orderRepository;
        _customerRoleRepository = customerRoleRepository;
        _customerRoleMappingRepository = customerRoleMappingRepository;
        _orderStatisticsRepository = orderStatisticsRepository;
        _dailyPurchasesRepository = dailyPurchasesRepository;
        _dateTimeHelper = dateTimeHelper;
    }

    #endregion

    #region Utilities

    protected class QuarterHourCount
    {
        public DateTime Day { get; init; }

        public int Hour { get; init; }

        public int Quarter { get; init; }

        public int Count { get; init; }

        public DateTime StartUtc => DateTime.SpecifyKind(Day.Date.AddHours(Hour).AddMinutes(15 * Quarter), DateTimeKind.Utc);
    }

    protected class KeyCount
    {
        public int Key { get; init; }

        public int Count { get; init; }
    }

    protected class MemberPurchases
    {
        public int OrderCount { get; init; }

        public decimal TotalSpent { get; init; }
    }

    protected class PurchaseTotals
    {
        public int Orders { get; init; }

        public decimal Revenue { get; init; }
    }

    protected class CustomerPurchases
    {
        public int CustomerId { get; init; }

        public int StoreId { get; init; }

        public int OrderCount { get; init; }

        public decimal TotalSpent { get; init; }
    }

    protected class BuyerOrders
    {
        public int CustomerId { get; init; }

        public int OrderCount { get; init; }
    }

    protected class ShopCustomerTotals
    {
        public int Customers { get; init; }

        public int Orders { get; init; }
    }

    protected class RfmCount
    {
        public int Recency { get; init; }

        public int Frequency { get; init; }

        public int Count { get; init; }
    }

    /// <summary>
    /// The time zone whose days the figures count in: the store's, as the rules and nopCommerce's admin (UTC when none is set)
    /// </summary>
    protected virtual TimeZoneInfo StoreTimeZone => StoreDays.ZoneOf(_dateTimeHelper);

    /// <summary>
    /// Ids of the segment's current members
    /// </summary>
    protected virtual IQueryable<int> CurrentMemberIds(int segmentId) =>
        _membershipRepository.Table.CurrentOf(segmentId)
            .Select(membership => membership.CustomerId);

    /// <summary>
    /// Orders that count as purchases, as the settings define them
    /// </summary>
    protected virtual IQueryable<Order> Purchases(int storeId)
    {
        var paid = (_settings.PurchasePaymentStatusIds ?? []).ToArray();
        var excluded = (_settings.ExcludedOrderStatusIds ?? []).ToArray();

        var orders = _orderRepository.Table.Where(order => !order.Deleted && paid.Contains(order.PaymentStatusId));
        if (excluded.Length > 0)
            orders = orders.Where(order => !excluded.Contains(order.OrderStatusId));
        if (storeId > 0)
            orders = orders.Where(order => order.StoreId == storeId);

        return orders;
    }

    /// <summary>
    /// How many purchases and their total in one pass over them: LINQ aggregates a whole query one figure at a time, so
    /// both are read per store (a few rows) and added up here
    /// </summary>
    protected virtual async Task<(int Orders, decimal Revenue)> CountAndSumAsync(IQueryable<CustomerPurchases> purchases)
    {
        var byStore = await purchases
            .GroupBy(purchase => purchase.StoreId)
            .Select(group => new PurchaseTotals { Orders = group.Sum(purchase => purchase.OrderCount), Revenue = group.Sum(purchase => purchase.TotalSpent) })
            .ToListAsync();

        return (byStore.Sum(store => store.Orders), byStore.Sum(store => store.Revenue));
    }

    /// <summary>
    /// An order as one purchase
    /// </summary>
    protected static readonly Expression<Func<Order, CustomerPurchases>> OrderAsPurchase =
        order => new CustomerPurchases { CustomerId = order.CustomerId, StoreId = order.StoreId, OrderCount = 1, TotalSpent = order.OrderTotal };

    protected static IQueryable<CustomerPurchases> AsPurchases(IQueryable<Order> orders) => orders.Select(OrderAsPurchase);

    /// <summary>
    /// The purchases each statistics row sums up
    /// </summary>
    protected static IQueryable<CustomerPurchases> AsPurchases(IQueryable<CustomerOrderStatistics> rows) =>
        rows.Select(row => new CustomerPurchases { CustomerId = row.CustomerId, StoreId = row.StoreId, OrderCount = row.OrderCount, TotalSpent = row.TotalSpent });

    /// <summary>
    /// The purchases of a period from the purchases per day (whole UTC days) and the orders (the rest of its first and
    /// last day), as the rules on the purchases of a period read them
    /// </summary>
    protected virtual IQueryable<CustomerPurchases> PurchasesOfPeriod(int storeId, DateTime? fromUtc, DateTime? toUtc)
    {
        var days = _dailyPurchasesRepository.Table;
        if (storeId > 0)
            days = days.Where(day => day.StoreId == storeId);

        return SegmentQueries.PurchasesOfPeriod(Purchases(storeId), days, fromUtc, toUtc, OrderAsPurchase,
            day => new CustomerPurchases { CustomerId = day.CustomerId, StoreId = day.StoreId, OrderCount = day.OrderCount, TotalSpent = day.TotalSpent });
    }

    /// <summary>
    /// Each member's purchases in the store as his order statistics hold them (what the rules on orders read), zeros
    /// for a member without purchases there (no statistics row): one indexed row per member instead of his orders.
    /// Until the statistics are current for the settings (none computed yet, or purchase statuses changed since), his
    /// orders summed up instead.
    /// </summary>
    protected virtual IQueryable<MemberPurchases> PurchasesOfMembers(IQueryable<int> memberIds, int storeId)
    {
        if (!CustomerOrderStatisticsService.AreCurrentFor(_settings))
        {
            var buyers = Purchases(storeId)
                .GroupBy(order => order.CustomerId)
                .Select(group => new CustomerPurchases { CustomerId = group.Key, OrderCount = group.Count(), TotalSpent = group.Sum(order => order.OrderTotal) });

            return from customerId in memberIds
                join buyer in buyers on customerId equals buyer.CustomerId into bought
                from buyer in bought.DefaultIfEmpty()
                select new MemberPurchases
                {
                    OrderCount = buyer == null ? 0 : buyer.OrderCount,
                    TotalSpent = buyer == null ? 0 : buyer.TotalSpent
                };
        }

        return from customerId in memberIds
            from row in _orderStatisticsRepository.Table.Where(row => row.CustomerId == customerId && row.StoreId == storeId).DefaultIfEmpty()
            select new MemberPurchases
            {
                OrderCount = row == null ? 0 : row.OrderCount,
                TotalSpent = row == null ? 0 : row.TotalSpent
            };
    }

    /// <summary>
    /// Customers the shop-wide figures are about: those a segment can have
    /// </summary>
    protected virtual IQueryable<Customer> ShopCustomers() =>
        SegmentQueries.EligibleCustomers(_customerRepository.Table, _customerRoleRepository.Table, _customerRoleMappingRepository.Table, _settings);

    /// <summary>
    /// How many shop customers there are and how many purchases they made, from each buyer's purchase count (one row per
    /// buyer) in one statement: the eligibility test, an anti-join over every customer, runs once for both figures
    /// </summary>
    protected virtual async Task<(int Customers, int Orders)> CountShopCustomersAndOrdersAsync(IQueryable<BuyerOrders> buyers)
    {
        //grouped by a column that is false for every shop customer: both aggregates in one row
        var totals = await (
                from customer in ShopCustomers()
                join buyer in buyers on customer.Id equals buyer.CustomerId into bought
                from buyer in bought.DefaultIfEmpty()
                select new { customer.Deleted, Orders = buyer == null ? 0 : buyer.OrderCount })
            .GroupBy(customer => customer.Deleted)
            .Select(group => new ShopCustomerTotals { Customers = group.Count(), Orders = group.Sum(customer => customer.Orders) })
            .ToListAsync();

        return (totals.Sum(total => total.Customers), totals.Sum(total => total.Orders));
    }

    /// <summary>
    /// An expression giving the index of the bucket a value falls in: 0 below edges[1], 1 below edges[2], ...,
    /// edges.Length - 1 from the last edge on; the database evaluates it as a CASE
    /// </summary>
    protected static Expression<Func<T, int>> BucketIndex<T, TValue>(Expression<Func<T, TValue>> value, IReadOnlyList<TValue> edges)
    {
        Expression body = Expression.Constant(edges.Count - 1);
        for (var i = edges.Count - 1; i >= 1; i--)
        {
            var below = Expression.LessThan(value.Body, Expression.Constant(edges[i], typeof(TValue)));
            body = Expression.Condition(below, Expression.Constant(i - 1), body);
        }

        return Expression.Lambda<Func<T, int>>(body, value.Parameters);
    }

    protected virtual async Task<IList<KeyCount>> CountByAsync<T>(IQueryable<T> rows, Expression<Func<T, int>> key)
    {
        //grouping a derived table's column keeps the CASE (and its parameters) out of the GROUP BY, which
        //PostgreSQL would otherwise not match with the select list
        return await rows
            .Select(key)
            .AsSubQuery()
            .GroupBy(index => index)
            .Select(group => new KeyCount { Key = group.Key, Count = group.Count() })
            .ToListAsync();
    }

    /// <summary>
    /// A round step (1, 2 or 5 times a power of ten) that splits the range into about the given number of buckets
    /// </summary>
    public static decimal NiceStep(decimal max, int buckets)
    {
        if (max <= 0)
            return 1;

        var raw = (double)max / buckets;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var multiple = (raw / power) switch
        {
            <= 1 => 1,
            <= 2 => 2,
            <= 5 => 5,
            _ => 10
        };
        var step = multiple * power;

        return Math.Max((decimal)step, 0.01m);
    }

    #endregion

    #region Methods

    public virtual async Task<IList<SegmentSizePoint>> GetSizeOverTimeAsync(int segmentId, DateTime fromUtc, DateTime toUtc)
    {
        var zone = StoreTimeZone;
        var firstDay = StoreDays.DateOf(fromUtc, zone);
        var lastDay = StoreDays.DateOf(toUtc, zone);
        if (lastDay < firstDay)
            return [];

        var startUtc = StoreDays.StartUtc(firstDay, zone);
        var endUtc = StoreDays.StartUtc(lastDay.AddDays(1), zone);
        var memberships = _membershipRepository.Table.Where(membership => membership.SegmentId == segmentId);

        var atStart = await memberships.CountAsync(membership => membership.EnteredOnUtc < startUtc
            && (membership.LeftOnUtc == null || membership.LeftOnUtc >= startUtc));

        //counted per quarter of an hour in UTC (every time zone's offset is a number of quarters), then per day of the store
        var entered = await memberships
            .Where(membership => membership.EnteredOnUtc >= startUtc && membership.EnteredOnUtc < endUtc)
            .GroupBy(membership => new { membership.EnteredOnUtc.Date, membership.EnteredOnUtc.Hour, Quarter = membership.EnteredOnUtc.Minute / 15 })
            .Select(group => new QuarterHourCount { Day = group.Key.Date, Hour = group.Key.Hour, Quarter = group.Key.Quarter, Count = group.Count() })
            .ToListAsync();

        var left = await memberships
            .Where(membership => membership.LeftOnUtc >= startUtc && membership.LeftOnUtc < endUtc)
            .GroupBy(membership => new { membership.LeftOnUtc.Value.Date, membership.LeftOnUtc.Value.Hour, Quarter = membership.LeftOnUtc.Value.Minute / 15 })
            .Select(group => new QuarterHourCount { Day = group.Key.Date, Hour = group.Key.Hour, Quarter = group.Key.Quarter, Count = group.Count() })
            .ToListAsync();

        Dictionary<DateTime, int> byStoreDay(IEnumerable<QuarterHourCount> counts) => counts
            .GroupBy(count => StoreDays.DateOf(count.StartUtc, zone))
            .ToDictionary(group => group.Key, group => group.Sum(count => count.Count));
        var enteredByDay = byStoreDay(entered);
        var leftByDay = byStoreDay(left);

        var points = new List<SegmentSizePoint>();
        var size = atStart;
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            size += enteredByDay.GetValueOrDefault(day) - leftByDay.GetValueOrDefault(day);
            points.Add(new SegmentSizePoint(day, size));
        }

        return points;
    }

    public virtual async Task<SegmentRevenueShare> GetRevenueShareAsync(int segmentId, int storeId, DateTime? fromUtc, DateTime? toUtc)
    {
        var memberIds = CurrentMemberIds(segmentId);
        var shopCustomerIds = ShopCustomers().Select(customer => customer.Id);
        var members = await memberIds.CountAsync();

        int shopCustomers, memberOrders, shopCustomerOrders, shopOrders;
        decimal memberRevenue, shopRevenue;
        if (fromUtc == null && toUtc == null && CustomerOrderStatisticsService.AreCurrentFor(_settings))
        {
            //of all time: the purchases as the order statistics sum them up (what the rules read), a row per buyer
            //and store instead of his orders (the store's rows; for all stores, the rows that add up every store)
            var rows = _orderStatisticsRepository.Table.Where(row => row.StoreId == storeId);
            (memberOrders, memberRevenue) = await CountAndSumAsync(AsPurchases(rows.Where(row => memberIds.Contains(row.CustomerId))));
            (shopCustomers, shopCustomerOrders) = await CountShopCustomersAndOrdersAsync(rows
                .Select(row => new BuyerOrders { CustomerId = row.CustomerId, OrderCount = row.OrderCount }));
            (shopOrders, shopRevenue) = await CountAndSumAsync(AsPurchases(rows));
        }
        else if (CustomerOrderStatisticsService.AreCurrentFor(_settings))
        {
            //a period: a row per buyer, store and whole day inside it, the orders of its partial first and last day
            var parts = PurchasesOfPeriod(storeId, fromUtc, toUtc);
            (memberOrders, memberRevenue) = await CountAndSumAsync(parts.Where(part => memberIds.Contains(part.CustomerId)));
            (shopCustomers, shopCustomerOrders) = await CountShopCustomersAndOrdersAsync(parts
                .GroupBy(part => part.CustomerId)
                .Select(group => new BuyerOrders { CustomerId = group.Key, OrderCount = group.Sum(part => part.OrderCount) }));
            (shopOrders, shopRevenue) = await CountAndSumAsync(parts);
        }
        else
        {
            var purchases = Purchases(storeId);
            if (fromUtc.HasValue)
                purchases = purchases.Where(order => order.CreatedOnUtc >= fromUtc.Value);
            if (toUtc.HasValue)
                purchases = purchases.Where(order => order.CreatedOnUtc < toUtc.Value);

            (memberOrders, memberRevenue) = await CountAndSumAsync(AsPurchases(purchases.Where(order => memberIds.Contains(order.CustomerId))));
            shopCustomers = await shopCustomerIds.CountAsync();
            shopCustomerOrders = await purchases.CountAsync(order => shopCustomerIds.Contains(order.CustomerId));
            (shopOrders, shopRevenue) = await CountAndSumAsync(AsPurchases(purchases));
        }

        return new SegmentRevenueShare(members, memberOrders, memberRevenue, shopCustomers, shopCustomerOrders, shopOrders, shopRevenue);
    }

    public virtual async Task<RfmGrid> GetRfmGridAsync(int segmentId, int storeId)
    {
        //the scores the RFM rules read: ranked among the store's buyers by the last refresh (0: not scored, no purchase in the window)
        var memberIds = CurrentMemberIds(segmentId);
        var cells = await _orderStatisticsRepository.Table
            .Where(row => row.StoreId == storeId && row.RecencyScore > 0 && row.FrequencyScore > 0 && memberIds.Contains(row.CustomerId))
            .GroupBy(row => new { row.RecencyScore, row.FrequencyScore })
            .Select(group => new RfmCount { Recency = group.Key.RecencyScore, Frequency = group.Key.FrequencyScore, Count = group.Count() })
            .ToListAsync();

        var counts = new int[5, 5];
        foreach (var cell in cells.Where(cell => cell.Recency <= 5 && cell.Frequency <= 5))
            counts[cell.Recency - 1, cell.Frequency - 1] += cell.Count;

        var members = await memberIds.CountAsync();

        return new RfmGrid(counts, members - counts.Cast<int>().Sum(), Math.Max(1, _settings.RfmWindowDays));
    }

    public virtual async Task<IList<HistogramBucket>> GetHistogramAsync(int segmentId, int storeId, SegmentHistogramField field, DateTime nowUtc, int? bucketCount)
    {
        if (bucketCount is < HistogramBucketLimits.Min or > HistogramBucketLimits.Max)
            throw new ArgumentOutOfRangeException(nameof(bucketCount), bucketCount, $"From {HistogramBucketLimits.Min} to {HistogramBucketLimits.Max} buckets");

        var memberIds = CurrentMemberIds(segmentId);

        switch (field)
        {
            case SegmentHistogramField.Age:
            {
                var members = _customerRepository.Table.Where(customer => memberIds.Contains(customer.Id));
                //ages as the rules count them: on the store's today; a date of birth after today is no age (counted as unknown)
                var today = StoreDays.DateOf(nowUtc, StoreTimeZone);
                var endOfToday = today.AddDays(1);
                var known = members.Where(customer => customer.DateOfBirth != null && customer.DateOfBirth < endOfToday);
                var unknown = await members.CountAsync() - await known.CountAsync();

                var ageEdges = AgeEdges;
                if (bucketCount is int ageBuckets)
                {
                    var oldest = await known.MinAsync(customer => customer.DateOfBirth);
                    var maxAge = oldest is DateTime born ? AgeOn(born, today) : 0;
                    ageEdges = EqualWidthEdges(IntegerStep(maxAge, ageBuckets), ageBuckets);
                }

                //born on or before (now - N years) means at least N years old: the edges run backwards in time
                var bornBefore = ageEdges.Select(years => today.AddYears(-years).AddDays(1)).ToArray();
                var bornEdges = bornBefore.Reverse().ToList();
                var counts = await CountByAsync(known, BucketIndex<Customer, DateTime>(customer => customer.DateOfBirth.Value,
                    new[] { DateTime.MinValue }.Concat(bornEdges.Take(bornEdges.Count - 1)).ToList()));

                var buckets = new List<HistogramBucket>();
                for (var i = 0; i < ageEdges.Length; i++)
                {
                    //bucket index counted from the oldest: reverse it to the age edge
                    var index = ageEdges.Length - 1 - i;
                    buckets.Add(new HistogramBucket(ageEdges[i], i + 1 < ageEdges.Length ? ageEdges[i + 1] : null,
                        counts.Where(count => count.Key == index).Sum(count => count.Count)));
                }

                buckets.Add(new HistogramBucket(null, null, unknown));
                return buckets;
            }

            case SegmentHistogramField.OrderCount:
            {
                var perMember = PurchasesOfMembers(memberIds, storeId).Select(member => member.OrderCount);

                var orderEdges = OrderCountEdges;
                if (bucketCount is int orderBuckets)
                {
                    var most = await perMember.MaxAsync(orders => (int?)orders) ?? 0;
                    orderEdges = EqualWidthEdges(IntegerStep(most, orderBuckets), orderBuckets);
                }

                var counts = await CountByAsync(perMember, BucketIndex<int, int>(orders => orders, orderEdges));

                return orderEdges
                    .Select((edge, i) => new HistogramBucket(edge, i + 1 < orderEdges.Length ? orderEdges[i + 1] : null,
                        counts.Where(count => count.Key == i).Sum(count => count.Count)))
                    .ToList();
            }

            default:
            {
                var perMember = PurchasesOfMembers(memberIds, storeId).Select(member => member.TotalSpent);

                var spentBuckets = bucketCount ?? SpentBuckets;
                var max = await perMember.MaxAsync(spent => (decimal?)spent) ?? 0m;
                var step = NiceStep(max, spentBuckets);
                var edges = Enumerable.Range(0, spentBuckets).Select(i => i * step).ToList();
                var counts = await CountByAsync(perMember, BucketIndex<decimal, decimal>(spent => spent, edges));

                return edges
                    .Select((edge, i) => new HistogramBucket(edge, i + 1 < edges.Count ? edges[i + 1] : null,
                        counts.Where(count => count.Key == i).Sum(count => count.Count)))
                    .ToList();
            }
        }
    }

    /// <summary>
    /// Whole years from the date of birth to the day
    /// </summary>
    protected static int AgeOn(DateTime dateOfBirth, DateTime today)
    {
        var age = today.Year - dateOfBirth.Year;
        if (dateOfBirth.Date > today.AddYears(-age))
            age--;

        return Math.Max(0, age);
    }

    /// <summary>
    /// A round whole width so that <paramref name="buckets"/> buckets from 0 reach past <paramref name="max"/>
    /// (the last bucket is open)
    /// </summary>
    public static int IntegerStep(int max, int buckets) =>
        Math.Max(1, (int)Math.Ceiling(NiceStep(max + 1, buckets)));

    protected static int[] EqualWidthEdges(int step, int buckets) =>
        Enumerable.Range(0, buckets).Select(i => i * step).ToArray();

    public virtual async Task<IList<SegmentOverlap>> GetOverlapAsync(int segmentId)
    {
        var overlap = await (
                from mine in _membershipRepository.Table.CurrentOf(segmentId)
                join other in _membershipRepository.Table.Current() on mine.CustomerId equals other.CustomerId
                where other.SegmentId != segmentId
                group other by other.SegmentId into shared
                select new KeyCount { Key = shared.Key, Count = shared.Count() })
            .ToListAsync();

        return overlap
            .OrderByDescending(item => item.Count)
            .ThenBy(item => item.Key)
            .Select(item => new SegmentOverlap(item.Key, item.Count))
            .ToList();
    }

    #endregion
}
