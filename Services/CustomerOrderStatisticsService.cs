using System.Globalization;
using System.Linq.Expressions;
using System.Transactions;
using LinqToDB;
using LinqToDB.Linq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Fills the order statistics with a few INSERT ... SELECT statements per range of customer ids (see
/// <see cref="RecomputeCustomerIdsPerRange"/>): one row per customer and store from the orders grouped by customer and
/// store, then one row per customer for all stores (store 0) grouped from those. RFM scores are then ranked per store
/// over the eligible buyers of the RFM window, score = 1 + ⌊5·below / buyers⌋, where below is how many buyers of the
/// store have a smaller value: from thresholds read in one statement, written a range of customers at a time (see
/// <see cref="RankAsync"/>).
/// Once filled, a refresh of all customers works in place: the same aggregates for the few customers whose figures
/// moved with time, joined to their rows to write only what differs, then the ranking, writing only changed scores.
/// </summary>
public class CustomerOrderStatisticsService : ICustomerOrderStatisticsService
{
    /// <summary>
    /// Customer ids per statement when refreshing a list of customers
    /// </summary>
    public const int CustomerBatchSize = 500;

    /// <summary>
    /// Customer ids per transaction of a full recompute (see <see cref="RecomputeCustomerIdsPerRange"/>)
    /// </summary>
    public const int DefaultRecomputeCustomerIdsPerRange = 20_000;

    /// <summary>
    /// Customer ids per statement of the RFM scores' writes (see <see cref="RankCustomerIdsPerRange"/>)
    /// </summary>
    public const int DefaultRankCustomerIdsPerRange = 100_000;

    protected readonly CustomerSegmentsSettings _settings;
    protected readonly INopDataProvider _dataProvider;
    protected readonly ISettingService _settingService;
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<CustomerCustomerRoleMapping> _customerRoleMappingRepository;
    protected readonly IRepository<CustomerRole> _customerRoleRepository;
    protected readonly IRepository<Order> _orderRepository;
    protected readonly IRepository<CustomerOrderStatistics> _statisticsRepository;
    protected readonly ISegmentMembershipTransaction _segmentMembershipTransaction;
    protected readonly ICustomerDailyPurchasesService _dailyPurchasesService;
    protected readonly ICustomerPurchasedProductService _purchasedProductService;

    public CustomerOrderStatisticsService(CustomerSegmentsSettings settings,
        INopDataProvider dataProvider,
        ISettingService settingService,
        IRepository<Customer> customerRepository,
        IRepository<CustomerCustomerRoleMapping> customerRoleMappingRepository,
        IRepository<CustomerRole> customerRoleRepository,
        IRepository<Order> orderRepository,
        IRepository<CustomerOrderStatistics> statisticsRepository,
        ISegmentMembershipTransaction segmentMembershipTransaction,
        ICustomerDailyPurchasesService dailyPurchasesService,
        ICustomerPurchasedProductService purchasedProductService)
    {
        _settings = settings;
        _dataProvider = dataProvider;
        _settingService = settingService;
        _customerRepository = customerRepository;
        _customerRoleMappingRepository = customerRoleMappingRepository;
        _customerRoleRepository = customerRoleRepository;
        _orderRepository = orderRepository;
        _statisticsRepository = statisticsRepository;
        _segmentMembershipTransaction = segmentMembershipTransaction;
        _dailyPurchasesService = dailyPurchasesService;
        _purchasedProductService = purchasedProductService;
    }

    /// <summary>
    /// A full recompute goes through the customers in ranges of this many ids, each range in a transaction of its own:
    /// each statement reads the orders of at most this many customers, so that none outlasts the command timeout of
    /// nopCommerce's connection (30 seconds by default) however large the shop, and no transaction holds the figure
    /// tables for the whole recompute
    /// </summary>
    public virtual int RecomputeCustomerIdsPerRange { get; set; } = DefaultRecomputeCustomerIdsPerRange;

    /// <summary>
    /// The RFM scores are written in ranges of this many customer ids (see <see cref="RankAsync"/>): wider than the
    /// recompute's, since a range's statements read only the statistics rows, and each statement has a cost of its own
    /// (the eligibility's anti-join)
    /// </summary>
    public virtual int RankCustomerIdsPerRange { get; set; } = DefaultRankCustomerIdsPerRange;

    /// <summary>
    /// The refresh in place brings this many customers at a time in line with their orders, each batch in a
    /// transaction of its own (see <see cref="RefreshInPlaceAsync"/>)
    /// </summary>
    public virtual int RefreshCustomersPerBatch { get; set; } = CustomerBatchSize;

    #region Utilities

    /// <summary>
    /// Whether the statistics (and the purchase figures kept with them) were last filled under these settings
    /// </summary>
    public static bool AreCurrentFor(CustomerSegmentsSettings settings) => settings.OrderStatisticsKey == SettingsKey(settings);

    /// <summary>
    /// Whether a full recompute (see <see cref="RecomputeAllAsync"/>) is running: one that started within the last day
    /// (a process stopped in the middle of one leaves the moment behind; the next recompute replaces it)
    /// </summary>
    public static bool AreBeingRecomputed(CustomerSegmentsSettings settings, DateTime nowUtc) =>
        settings.OrderStatisticsRecomputeStartedOnUtc is { } startedUtc && nowUtc - startedUtc < TimeSpan.FromDays(1);

    /// <summary>
    /// The settings the statistics (and the purchases per day and the products bought kept with them) depend on, as
    /// one text: they are current when it equals the one saved at their last full refresh. The first part is the
    /// version of the tables: 2 since the purchases per day and the products bought, so that a shop updated from 1
    /// fills them.
    /// </summary>
    public static string SettingsKey(CustomerSegmentsSettings settings) => string.Join("|",
        "2",
        string.Join(",", SegmentQueries.PurchasePaymentStatusIds(settings)),
        string.Join(",", SegmentQueries.ExcludedOrderStatusIds(settings)),
        settings.IncludeGuests ? "guests" : "registered",
        Math.Max(1, settings.RfmWindowDays).ToString(CultureInfo.InvariantCulture));

    protected virtual DateTime RfmWindowStart(DateTime nowUtc) => nowUtc.AddDays(-Math.Max(1, _settings.RfmWindowDays));

    protected virtual ITable<CustomerOrderStatistics> StatisticsTable =>
        (ITable<CustomerOrderStatistics>)_dataProvider.GetTable<CustomerOrderStatistics>();

    protected virtual async Task SaveSettingsKeyAsync(string key)
    {
        _settings.OrderStatisticsKey = key;
        await _settingService.SaveSettingAsync(_settings, settings => settings.OrderStatisticsKey);
    }

    protected virtual async Task SaveRecomputeStartedOnAsync(DateTime? startedUtc)
    {
        _settings.OrderStatisticsRecomputeStartedOnUtc = startedUtc;
        await _settingService.SaveSettingAsync(_settings, settings => settings.OrderStatisticsRecomputeStartedOnUtc);
    }

    protected virtual async Task SaveRefreshedOnAsync(DateTime nowUtc)
    {
        _settings.OrderStatisticsRefreshedOnUtc = nowUtc;
        await _settingService.SaveSettingAsync(_settings, settings => settings.OrderStatisticsRefreshedOnUtc);
    }

    /// <summary>
    /// Orders (not deleted, of a store) summed up per customer and store; purchases as the settings define them
    /// </summary>
    protected virtual IQueryable<OrderAggregate> AggregateOrders(IQueryable<Order> orders, DateTime nowUtc)
    {
        var paymentStatusIds = SegmentQueries.PurchasePaymentStatusIds(_settings);
        var excludedStatusIds = SegmentQueries.ExcludedOrderStatusIds(_settings);
        var refunded = (int)PaymentStatus.Refunded;
        var partiallyRefunded = (int)PaymentStatus.PartiallyRefunded;
        var cancelled = (int)OrderStatus.Cancelled;
        var windowStart = RfmWindowStart(nowUtc);

        var flagged = orders
            .Where(o => !o.Deleted && o.StoreId > 0)
            .Select(o => new
            {
                o.CustomerId,
                o.StoreId,
                o.OrderTotal,
                o.CreatedOnUtc,
                Purchase = paymentStatusIds.Contains(o.PaymentStatusId) && !excludedStatusIds.Contains(o.OrderStatusId) ? 1 : 0,
                Refunded = o.PaymentStatusId == refunded || o.PaymentStatusId == partiallyRefunded ? 1 : 0,
                Cancelled = o.OrderStatusId == cancelled ? 1 : 0,
                InWindow = o.CreatedOnUtc >= windowStart ? 1 : 0
            });

        return from o in flagged
            group o by new { o.CustomerId, o.StoreId } into g
            select new OrderAggregate
            {
                CustomerId = g.Key.CustomerId,
                StoreId = g.Key.StoreId,
                OrderCount = g.Sum(o => o.Purchase),
                TotalSpent = g.Sum(o => o.OrderTotal * o.Purchase),
                FirstOrderOnUtc = g.Min(o => o.Purchase == 1 ? (DateTime?)o.CreatedOnUtc : null),
                LastOrderOnUtc = g.Max(o => o.Purchase == 1 ? (DateTime?)o.CreatedOnUtc : null),
                RefundedOrderCount = g.Sum(o => o.Refunded),
                CancelledOrderCount = g.Sum(o => o.Cancelled),
                RfmOrderCount = g.Sum(o => o.Purchase * o.InWindow),
                RfmTotalSpent = g.Sum(o => o.OrderTotal * (o.Purchase * o.InWindow))
            };
    }

    /// <summary>
    /// The per-store rows summed up per customer, as the rows for all stores (store 0)
    /// </summary>
    protected virtual IQueryable<OrderAggregate> AggregateStores(IQueryable<CustomerOrderStatistics> storeRows)
    {
        return from s in storeRows.Where(s => s.StoreId > 0)
            group s by s.CustomerId into g
            select new OrderAggregate
            {
                CustomerId = g.Key,
                StoreId = 0,
                OrderCount = g.Sum(s => s.OrderCount),
                TotalSpent = g.Sum(s => s.TotalSpent),
                FirstOrderOnUtc = g.Min(s => s.FirstOrderOnUtc),
                LastOrderOnUtc = g.Max(s => s.LastOrderOnUtc),
                RefundedOrderCount = g.Sum(s => s.RefundedOrderCount),
                CancelledOrderCount = g.Sum(s => s.CancelledOrderCount),
                RfmOrderCount = g.Sum(s => s.RfmOrderCount),
                RfmTotalSpent = g.Sum(s => s.RfmTotalSpent)
            };
    }

    /// <summary>
    /// The eligible customers (the segments' eligibility), the only ones scored
    /// </summary>
    protected virtual IQueryable<int> EligibleCustomerIds() =>
        SegmentQueries.EligibleCustomers(_customerRepository.Table, _customerRoleRepository.Table,
            _customerRoleMappingRepository.Table, _settings).Select(c => c.Id);

    /// <summary>
    /// Scores the rows: per store, among the eligible customers who bought in the RFM window, by rank of their last
    /// purchase, their purchases and their spending in the window, score = 1 + ⌊5·below / buyers⌋, where below is how
    /// many buyers of the store have a smaller value. A score is a step function of the value: score ≥ k + 1 exactly
    /// when the value is above the store's k-th threshold, the value of the buyer at place ⌈k·buyers / 5⌉ in the order
    /// of values (at least that many buyers then have a smaller one). One statement reads the 4 thresholds of each
    /// measure per store; then, a range of customer ids at a time (see <see cref="RankCustomerIdsPerRange"/>), one
    /// UPDATE per store writes the scores that change, and one sets 0 on rows that are no longer scored (no purchase in
    /// the window any more, or no longer eligible). Only the thresholds' read grows with the shop.
    /// </summary>
    protected virtual async Task<int> RankAsync()
    {
        var eligibleIds = EligibleCustomerIds();
        var scored = _statisticsRepository.Table.Where(s => s.RfmOrderCount > 0 && eligibleIds.Contains(s.CustomerId));
        var thresholds = await ReadRfmThresholdsAsync(scored);
        var storeIds = thresholds.Keys.ToList();

        var changed = 0;
        foreach (var range in await CustomerIdRangesAsync(RankCustomerIdsPerRange))
        {
            foreach (var (storeId, store) in thresholds)
            {
                var (r1, r2, r3, r4) = (store.Recency[0], store.Recency[1], store.Recency[2], store.Recency[3]);
                var (f1, f2, f3, f4) = (store.Frequency[0], store.Frequency[1], store.Frequency[2], store.Frequency[3]);
                var (m1, m2, m3, m4) = (store.Monetary[0], store.Monetary[1], store.Monetary[2], store.Monetary[3]);
                changed += await range.Of(scored, s => s.CustomerId)
                    .Where(s => s.StoreId == storeId
                        && (s.RecencyScore != RfmScore(s.LastOrderOnUtc, r1, r2, r3, r4)
                            || s.FrequencyScore != RfmScore(s.RfmOrderCount, f1, f2, f3, f4)
                            || s.MonetaryScore != RfmScore(s.RfmTotalSpent, m1, m2, m3, m4)))
                    .Set(s => s.RecencyScore, s => RfmScore(s.LastOrderOnUtc, r1, r2, r3, r4))
                    .Set(s => s.FrequencyScore, s => RfmScore(s.RfmOrderCount, f1, f2, f3, f4))
                    .Set(s => s.MonetaryScore, s => RfmScore(s.RfmTotalSpent, m1, m2, m3, m4))
                    .UpdateAsync();
            }

            changed += await range.Of(_statisticsRepository.Table, s => s.CustomerId)
                .Where(s => (s.RecencyScore != 0 || s.FrequencyScore != 0 || s.MonetaryScore != 0)
                    && (s.RfmOrderCount <= 0 || !eligibleIds.Any(id => id == s.CustomerId) || !storeIds.Contains(s.StoreId)))
                .Set(s => s.RecencyScore, 0)
                .Set(s => s.FrequencyScore, 0)
                .Set(s => s.MonetaryScore, 0)
                .UpdateAsync();
        }

        return changed;
    }

    /// <summary>
    /// The thresholds of the RFM scores per store (see <see cref="RankAsync"/>): the values at places ⌈k·buyers / 5⌉,
    /// k = 1..4, in the order of each measure, read in one statement. A place p is the k-th threshold's when
    /// 5·(p - 1) &lt; k·buyers ≤ 5·p: integer arithmetic on every engine.
    /// </summary>
    /// <param name="scored">The rows that are scored</param>
    protected virtual async Task<IDictionary<int, RfmThresholds>> ReadRfmThresholdsAsync(IQueryable<CustomerOrderStatistics> scored)
    {
        //every window orders by a unique key, (value, id): with RANK() over a value many buyers share (most bought once)
        //PostgreSQL buffers each group of equals and ran 3-4 times slower at 1,000,000 customers
        var placed = scored
            .Select(s => new RfmPlace
            {
                StoreId = s.StoreId,
                LastOrderOnUtc = s.LastOrderOnUtc,
                RfmOrderCount = s.RfmOrderCount,
                RfmTotalSpent = s.RfmTotalSpent,
                RecencyPlace = Sql.Ext.RowNumber().Over().PartitionBy(s.StoreId).OrderBy(s.LastOrderOnUtc).ThenBy(s.Id).ToValue(),
                FrequencyPlace = Sql.Ext.RowNumber().Over().PartitionBy(s.StoreId).OrderBy(s.RfmOrderCount).ThenBy(s.Id).ToValue(),
                MonetaryPlace = Sql.Ext.RowNumber().Over().PartitionBy(s.StoreId).OrderBy(s.RfmTotalSpent).ThenBy(s.Id).ToValue(),
                Buyers = Sql.Ext.RowNumber().Over().PartitionBy(s.StoreId).OrderBy(s.Id).ToValue()
                    + Sql.Ext.RowNumber().Over().PartitionBy(s.StoreId).OrderByDesc(s.Id).ToValue() - 1
            })
            .AsSubQuery();

        var places = await placed
            .Where(p => IsThresholdPlace(p.RecencyPlace, p.Buyers) || IsThresholdPlace(p.FrequencyPlace, p.Buyers) || IsThresholdPlace(p.MonetaryPlace, p.Buyers))
            .ToListAsync();

        var thresholds = new Dictionary<int, RfmThresholds>();
        foreach (var place in places)
        {
            if (!thresholds.TryGetValue(place.StoreId, out var store))
                thresholds[place.StoreId] = store = new RfmThresholds();

            for (var k = 1; k <= 4; k++)
            {
                var thresholdPlace = (k * place.Buyers + 4) / 5;
                if (place.RecencyPlace == thresholdPlace)
                    store.Recency[k - 1] = place.LastOrderOnUtc;
                if (place.FrequencyPlace == thresholdPlace)
                    store.Frequency[k - 1] = place.RfmOrderCount;
                if (place.MonetaryPlace == thresholdPlace)
                    store.Monetary[k - 1] = place.RfmTotalSpent;
            }
        }

        return thresholds;
    }

    /// <summary>
    /// Whether the place (1-based) in a store's order of a measure is one of the 4 thresholds' (see <see cref="ReadRfmThresholdsAsync"/>)
    /// </summary>
    [ExpressionMethod(nameof(IsThresholdPlaceExpression))]
    protected static bool IsThresholdPlace(long place, long buyers) => IsThresholdPlaceExpression().Compile()(place, buyers);

    private static Expression<Func<long, long, bool>> IsThresholdPlaceExpression() => (place, buyers) =>
        5 * (place - 1) < buyers && buyers <= 5 * place
        || 5 * (place - 1) < 2 * buyers && 2 * buyers <= 5 * place
        || 5 * (place - 1) < 3 * buyers && 3 * buyers <= 5 * place
        || 5 * (place - 1) < 4 * buyers && 4 * buyers <= 5 * place;

    /// <summary>
    /// An RFM score from a value and its store's 4 thresholds: 1 plus the thresholds the value is above
    /// </summary>
    [ExpressionMethod(nameof(DateScoreExpression))]
    protected static int RfmScore(DateTime? value, DateTime? t1, DateTime? t2, DateTime? t3, DateTime? t4) =>
        DateScoreExpression().Compile()(value, t1, t2, t3, t4);

    private static Expression<Func<DateTime?, DateTime?, DateTime?, DateTime?, DateTime?, int>> DateScoreExpression() => (value, t1, t2, t3, t4) =>
        1 + (value > t1 ? 1 : 0) + (value > t2 ? 1 : 0) + (value > t3 ? 1 : 0) + (value > t4 ? 1 : 0);

    /// <inheritdoc cref="RfmScore(DateTime?, DateTime?, DateTime?, DateTime?, DateTime?)"/>
    [ExpressionMethod(nameof(CountScoreExpression))]
    protected static int RfmScore(int value, int t1, int t2, int t3, int t4) => CountScoreExpression().Compile()(value, t1, t2, t3, t4);

    private static Expression<Func<int, int, int, int, int, int>> CountScoreExpression() => (value, t1, t2, t3, t4) =>
        1 + (value > t1 ? 1 : 0) + (value > t2 ? 1 : 0) + (value > t3 ? 1 : 0) + (value > t4 ? 1 : 0);

    /// <inheritdoc cref="RfmScore(DateTime?, DateTime?, DateTime?, DateTime?, DateTime?)"/>
    [ExpressionMethod(nameof(AmountScoreExpression))]
    protected static int RfmScore(decimal value, decimal t1, decimal t2, decimal t3, decimal t4) => AmountScoreExpression().Compile()(value, t1, t2, t3, t4);

    private static Expression<Func<decimal, decimal, decimal, decimal, decimal, int>> AmountScoreExpression() => (value, t1, t2, t3, t4) =>
        1 + (value > t1 ? 1 : 0) + (value > t2 ? 1 : 0) + (value > t3 ? 1 : 0) + (value > t4 ? 1 : 0);

    /// <summary>
    /// Ranges of customer ids of the given width that hold every customer (see <see cref="CustomerIdRange.Covering"/>)
    /// </summary>
    protected virtual async Task<IList<CustomerIdRange>> CustomerIdRangesAsync(int idsPerRange) =>
        CustomerIdRange.Covering(await _customerRepository.Table.MaxAsync(customer => (int?)customer.Id) ?? 0, idsPerRange);

    /// <summary>
    /// Replaces the figures of the customers in the range (statistics, purchases per day, products bought) with those of
    /// their orders, the statistics without RFM scores
    /// </summary>
    protected virtual async Task RecomputeCustomersAsync(CustomerIdRange range, DateTime nowUtc)
    {
        await range.Of(_statisticsRepository.Table, s => s.CustomerId).DeleteAsync();
        await InsertUnrankedAsync(AggregateOrders(range.Of(_orderRepository.Table, o => o.CustomerId), nowUtc));
        await InsertUnrankedAsync(AggregateStores(range.Of(_statisticsRepository.Table, s => s.CustomerId)));
        await _dailyPurchasesService.RecomputeCustomersAsync(range);
        await _purchasedProductService.RecomputeCustomersAsync(range);
    }

    /// <summary>
    /// Inserts rows without RFM scores (a customer's first orders between two full refreshes)
    /// </summary>
    protected virtual Task<int> InsertUnrankedAsync(IQueryable<OrderAggregate> aggregates)
    {
        return aggregates.InsertAsync(StatisticsTable, a => new CustomerOrderStatistics
        {
            CustomerId = a.CustomerId,
            StoreId = a.StoreId,
            OrderCount = a.OrderCount,
            TotalSpent = a.TotalSpent,
            FirstOrderOnUtc = a.FirstOrderOnUtc,
            LastOrderOnUtc = a.LastOrderOnUtc,
            RefundedOrderCount = a.RefundedOrderCount,
            CancelledOrderCount = a.CancelledOrderCount,
            RfmOrderCount = a.RfmOrderCount,
            RfmTotalSpent = a.RfmTotalSpent,
            RecencyScore = 0,
            FrequencyScore = 0,
            MonetaryScore = 0
        });
    }

    /// <summary>
    /// Recomputes the counts, totals and dates of existing rows of these customers from their orders (RFM scores kept)
    /// </summary>
    protected virtual Task<int> UpdateExistingAsync(int[] customerIds, DateTime nowUtc)
    {
        var purchases = SegmentQueries.Purchases(_orderRepository.Table, _settings).Where(o => o.StoreId > 0);
        var orders = _orderRepository.Table.Where(o => !o.Deleted && o.StoreId > 0);
        var refunded = (int)PaymentStatus.Refunded;
        var partiallyRefunded = (int)PaymentStatus.PartiallyRefunded;
        var cancelled = (int)OrderStatus.Cancelled;
        var windowStart = RfmWindowStart(nowUtc);

        return _statisticsRepository.Table
            .Where(s => customerIds.Contains(s.CustomerId))
            .Set(s => s.OrderCount, s => purchases.Count(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId)))
            .Set(s => s.TotalSpent, s => purchases
                .Where(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId))
                .Sum(o => (decimal?)o.OrderTotal) ?? 0m)
            .Set(s => s.FirstOrderOnUtc, s => purchases
                .Where(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId))
                .Min(o => (DateTime?)o.CreatedOnUtc))
            .Set(s => s.LastOrderOnUtc, s => purchases
                .Where(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId))
                .Max(o => (DateTime?)o.CreatedOnUtc))
            .Set(s => s.RefundedOrderCount, s => orders.Count(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId)
                && (o.PaymentStatusId == refunded || o.PaymentStatusId == partiallyRefunded)))
            .Set(s => s.CancelledOrderCount, s => orders.Count(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId)
                && o.OrderStatusId == cancelled))
            .Set(s => s.RfmOrderCount, s => purchases.Count(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId)
                && o.CreatedOnUtc >= windowStart))
            .Set(s => s.RfmTotalSpent, s => purchases
                .Where(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId) && o.CreatedOnUtc >= windowStart)
                .Sum(o => (decimal?)o.OrderTotal) ?? 0m)
            .UpdateAsync();
    }

    /// <summary>
    /// The customer's orders (not deleted, of a store) summed up per store, payment status and order status, with the
    /// part placed in the RFM window: a few rows, classified into purchases, refunds and cancellations by
    /// <see cref="Summarize"/>. The statement holds no list of statuses, so linq2db reuses its SQL from event to event.
    /// </summary>
    protected virtual IQueryable<OrderStatusAggregate> CustomerOrderGroups(int customerId, DateTime nowUtc)
    {
        var windowStart = RfmWindowStart(nowUtc);

        return _orderRepository.Table
            .Where(o => o.CustomerId == customerId && !o.Deleted && o.StoreId > 0)
            .Select(o => new
            {
                o.StoreId,
                o.PaymentStatusId,
                o.OrderStatusId,
                o.OrderTotal,
                o.CreatedOnUtc,
                InWindow = o.CreatedOnUtc >= windowStart ? 1 : 0
            })
            .GroupBy(o => new { o.StoreId, o.PaymentStatusId, o.OrderStatusId })
            .Select(g => new OrderStatusAggregate
            {
                StoreId = g.Key.StoreId,
                PaymentStatusId = g.Key.PaymentStatusId,
                OrderStatusId = g.Key.OrderStatusId,
                Count = g.Count(),
                Total = g.Sum(o => o.OrderTotal),
                FirstOnUtc = g.Min(o => o.CreatedOnUtc),
                LastOnUtc = g.Max(o => o.CreatedOnUtc),
                WindowCount = g.Sum(o => o.InWindow),
                WindowTotal = g.Sum(o => o.OrderTotal * o.InWindow)
            });
    }

    /// <summary>
    /// The customer's orders summed up (see <see cref="CustomerOrderGroups"/>)
    /// </summary>
    protected virtual Task<List<OrderStatusAggregate>> AggregateCustomerOrdersAsync(int customerId, DateTime nowUtc) =>
        CustomerOrderGroups(customerId, nowUtc).ToListAsync();

    /// <summary>
    /// The customer's statistics rows and his orders summed up (see <see cref="CustomerOrderGroups"/>) in one
    /// statement: one round trip, and both as of the same moment. The rows of segments' customers given are read in
    /// the same statement (what a re-evaluation decides with besides the figures).
    /// </summary>
    protected virtual async Task<(List<CustomerOrderStatistics> Rows, List<OrderStatusAggregate> Groups, List<SegmentCustomer> SegmentCustomers)> ReadCustomerAsync(
        int customerId, DateTime nowUtc, IQueryable<SegmentCustomer> segmentCustomers = null)
    {
        var rows = _statisticsRepository.Table
            .Where(s => s.CustomerId == customerId)
            .Select(s => new CustomerStatisticsRead
            {
                RowId = s.Id, StoreId = s.StoreId, PaymentStatusId = 0, OrderStatusId = 0, Count = s.OrderCount, Total = s.TotalSpent,
                FirstOnUtc = s.FirstOrderOnUtc, LastOnUtc = s.LastOrderOnUtc, WindowCount = s.RfmOrderCount, WindowTotal = s.RfmTotalSpent,
                RefundedOrderCount = s.RefundedOrderCount, CancelledOrderCount = s.CancelledOrderCount,
                RecencyScore = s.RecencyScore, FrequencyScore = s.FrequencyScore, MonetaryScore = s.MonetaryScore
            });
        var groups = CustomerOrderGroups(customerId, nowUtc)
            .Select(g => new CustomerStatisticsRead
            {
                RowId = 0, StoreId = g.StoreId, PaymentStatusId = g.PaymentStatusId, OrderStatusId = g.OrderStatusId, Count = g.Count, Total = g.Total,
                FirstOnUtc = g.FirstOnUtc, LastOnUtc = g.LastOnUtc, WindowCount = g.WindowCount, WindowTotal = g.WindowTotal,
                RefundedOrderCount = 0, CancelledOrderCount = 0, RecencyScore = 0, FrequencyScore = 0, MonetaryScore = 0
            });

        var statement = rows.Concat(groups);
        if (segmentCustomers != null)
        {
            statement = statement.Concat(segmentCustomers.Select(c => new CustomerStatisticsRead
            {
                RowId = CustomerStatisticsRead.SegmentCustomerLine, StoreId = c.SegmentId, PaymentStatusId = c.CustomerId, OrderStatusId = c.Member ? 1 : 0,
                Count = 0, Total = 0, FirstOnUtc = null, LastOnUtc = null, WindowCount = 0, WindowTotal = 0,
                RefundedOrderCount = 0, CancelledOrderCount = 0, RecencyScore = 0, FrequencyScore = 0, MonetaryScore = 0
            }));
        }

        var read = await statement.ToListAsync();

        return (read.Where(line => line.RowId > 0).Select(line => new CustomerOrderStatistics
            {
                Id = line.RowId, CustomerId = customerId, StoreId = line.StoreId, OrderCount = line.Count, TotalSpent = line.Total,
                FirstOrderOnUtc = line.FirstOnUtc, LastOrderOnUtc = line.LastOnUtc, RfmOrderCount = line.WindowCount, RfmTotalSpent = line.WindowTotal,
                RefundedOrderCount = line.RefundedOrderCount, CancelledOrderCount = line.CancelledOrderCount,
                RecencyScore = line.RecencyScore, FrequencyScore = line.FrequencyScore, MonetaryScore = line.MonetaryScore
            }).ToList(),
            read.Where(line => line.RowId == 0).Select(line => new OrderStatusAggregate
            {
                StoreId = line.StoreId, PaymentStatusId = line.PaymentStatusId, OrderStatusId = line.OrderStatusId, Count = line.Count, Total = line.Total,
                FirstOnUtc = line.FirstOnUtc ?? default, LastOnUtc = line.LastOnUtc ?? default, WindowCount = line.WindowCount, WindowTotal = line.WindowTotal
            }).ToList(),
            segmentCustomers == null ? null : read.Where(line => line.RowId == CustomerStatisticsRead.SegmentCustomerLine).Select(line => new SegmentCustomer
            {
                SegmentId = line.StoreId, CustomerId = line.PaymentStatusId, Member = line.OrderStatusId == 1
            }).ToList());
    }

    /// <summary>
    /// The statistics of one customer and store (0: all stores) from the customer's order groups, as
    /// <see cref="AggregateOrders"/> and <see cref="AggregateStores"/> compute them in the database
    /// </summary>
    protected virtual OrderAggregate Summarize(int customerId, int storeId, IEnumerable<OrderStatusAggregate> groups)
    {
        var aggregate = new OrderAggregate { CustomerId = customerId, StoreId = storeId };
        foreach (var group in groups.Where(group => storeId == 0 || group.StoreId == storeId))
        {
            if (group.PaymentStatusId is (int)PaymentStatus.Refunded or (int)PaymentStatus.PartiallyRefunded)
                aggregate.RefundedOrderCount += group.Count;
            if (group.OrderStatusId == (int)OrderStatus.Cancelled)
                aggregate.CancelledOrderCount += group.Count;
            if (!SegmentQueries.IsPurchase(_settings, group.PaymentStatusId, group.OrderStatusId))
                continue;

            aggregate.OrderCount += group.Count;
            aggregate.TotalSpent += group.Total;
            aggregate.RfmOrderCount += group.WindowCount;
            aggregate.RfmTotalSpent += group.WindowTotal;
            if (aggregate.FirstOrderOnUtc == null || group.FirstOnUtc < aggregate.FirstOrderOnUtc)
                aggregate.FirstOrderOnUtc = group.FirstOnUtc;
            if (aggregate.LastOrderOnUtc == null || group.LastOnUtc > aggregate.LastOrderOnUtc)
                aggregate.LastOrderOnUtc = group.LastOnUtc;
        }

        return aggregate;
    }

    /// <summary>
    /// The same moment to the second: a column may keep whole seconds only (MySQL/MariaDB DATETIME) while the orders
    /// keep fractions, and a stored date that differs by less than a second would be written on every refresh
    /// </summary>
    private static bool SameMoment(DateTime? stored, DateTime? computed) =>
        stored == computed || stored.HasValue && computed.HasValue && Math.Abs((stored.Value - computed.Value).Ticks) < TimeSpan.TicksPerSecond;

    private static bool SameFigures(CustomerOrderStatistics row, OrderAggregate aggregate) =>
        row.OrderCount == aggregate.OrderCount && row.TotalSpent == aggregate.TotalSpent
        && SameMoment(row.FirstOrderOnUtc, aggregate.FirstOrderOnUtc) && SameMoment(row.LastOrderOnUtc, aggregate.LastOrderOnUtc)
        && row.RefundedOrderCount == aggregate.RefundedOrderCount && row.CancelledOrderCount == aggregate.CancelledOrderCount
        && row.RfmOrderCount == aggregate.RfmOrderCount && row.RfmTotalSpent == aggregate.RfmTotalSpent;

    private static void CopyFigures(OrderAggregate aggregate, CustomerOrderStatistics row)
    {
        row.OrderCount = aggregate.OrderCount;
        row.TotalSpent = aggregate.TotalSpent;
        row.FirstOrderOnUtc = aggregate.FirstOrderOnUtc;
        row.LastOrderOnUtc = aggregate.LastOrderOnUtc;
        row.RefundedOrderCount = aggregate.RefundedOrderCount;
        row.CancelledOrderCount = aggregate.CancelledOrderCount;
        row.RfmOrderCount = aggregate.RfmOrderCount;
        row.RfmTotalSpent = aggregate.RfmTotalSpent;
    }

    /// <summary>
    /// The stores of the customer's statistics rows: those of his rows and of his orders, and all stores (0) when any
    /// </summary>
    private static HashSet<int> StoreIdsOf(IEnumerable<CustomerOrderStatistics> rows, IEnumerable<OrderStatusAggregate> groups)
    {
        var storeIds = rows.Select(row => row.StoreId).Union(groups.Select(group => group.StoreId)).ToHashSet();
        if (storeIds.Count > 0)
            storeIds.Add(0);

        return storeIds;
    }

    /// <summary>
    /// The row still has the figures it was read with (money compared by difference: SQLite receives decimal
    /// parameters as text)
    /// </summary>
    protected virtual Expression<Func<CustomerOrderStatistics, bool>> Unchanged(CustomerOrderStatistics row)
    {
        var id = row.Id;
        var orderCount = row.OrderCount;
        var totalSpent = row.TotalSpent;
        var refunded = row.RefundedOrderCount;
        var cancelled = row.CancelledOrderCount;
        var rfmOrderCount = row.RfmOrderCount;
        var rfmTotalSpent = row.RfmTotalSpent;
        Expression<Func<CustomerOrderStatistics, bool>> same = s => s.Id == id && s.OrderCount == orderCount
            && s.RefundedOrderCount == refunded && s.CancelledOrderCount == cancelled && s.RfmOrderCount == rfmOrderCount
            && s.TotalSpent - totalSpent == 0m && s.RfmTotalSpent - rfmTotalSpent == 0m;

        if (row.FirstOrderOnUtc is { } first)
            same = RuleExpressions.And(same, s => s.FirstOrderOnUtc == first);
        else
            same = RuleExpressions.And(same, s => s.FirstOrderOnUtc == null);

        if (row.LastOrderOnUtc is { } last)
            same = RuleExpressions.And(same, s => s.LastOrderOnUtc == last);
        else
            same = RuleExpressions.And(same, s => s.LastOrderOnUtc == null);

        return same;
    }

    /// <summary>
    /// Writes the new figures of one or two rows (the two one order changes: its store's and all stores') in one
    /// statement, only where each row still has the figures it was read with; RFM scores untouched. The statement
    /// alone is atomic: it needs no transaction, and a refresh that read before another one wrote changes nothing.
    /// </summary>
    /// <returns>How many rows were written; the rows' objects take the figures only when all were</returns>
    protected virtual async Task<int> UpdateIfUnchangedAsync(IList<(CustomerOrderStatistics Row, OrderAggregate Figures)> changes)
    {
        if (changes.Count is < 1 or > 2)
            throw new ArgumentException("One or two rows", nameof(changes));

        var (a, aFigures) = changes[0];
        var (_, bFigures) = changes[^1];
        var aId = a.Id;
        var unchanged = changes.Select(change => Unchanged(change.Row)).Aggregate(RuleExpressions.Or);

        var update = _statisticsRepository.Table
            .Where(unchanged)
            .Set(s => s.OrderCount, s => s.Id == aId ? aFigures.OrderCount : bFigures.OrderCount)
            .Set(s => s.TotalSpent, s => s.Id == aId ? aFigures.TotalSpent : bFigures.TotalSpent)
            .Set(s => s.RefundedOrderCount, s => s.Id == aId ? aFigures.RefundedOrderCount : bFigures.RefundedOrderCount)
            .Set(s => s.CancelledOrderCount, s => s.Id == aId ? aFigures.CancelledOrderCount : bFigures.CancelledOrderCount)
            .Set(s => s.RfmOrderCount, s => s.Id == aId ? aFigures.RfmOrderCount : bFigures.RfmOrderCount)
            .Set(s => s.RfmTotalSpent, s => s.Id == aId ? aFigures.RfmTotalSpent : bFigures.RfmTotalSpent);
        update = SetDate(update, s => s.FirstOrderOnUtc, aId, aFigures.FirstOrderOnUtc, bFigures.FirstOrderOnUtc);
        update = SetDate(update, s => s.LastOrderOnUtc, aId, aFigures.LastOrderOnUtc, bFigures.LastOrderOnUtc);
        var written = await update.UpdateAsync();

        if (written == changes.Count)
        {
            foreach (var (row, figures) in changes)
                CopyFigures(figures, row);
        }

        return written;
    }

    /// <summary>
    /// Sets a date to the value of row a or of the other row. linq2db builds the SQL of a statement again on every
    /// execution when a value it sets may be null, so the expression's shape says which values are null instead: each
    /// shape's SQL is built once.
    /// </summary>
    protected static IUpdatable<CustomerOrderStatistics> SetDate(IUpdatable<CustomerOrderStatistics> update,
        Expression<Func<CustomerOrderStatistics, DateTime?>> field, int aId, DateTime? a, DateTime? b) => (a, b) switch
    {
        ({ } aDate, { } bDate) => update.Set(field, s => s.Id == aId ? aDate : bDate),
        ({ } aDate, null) => update.Set(field, s => s.Id == aId ? aDate : null),
        (null, { } bDate) => update.Set(field, s => s.Id == aId ? null : bDate),
        _ => update.Set(field, s => null)
    };

    /// <summary>
    /// <see cref="UpdateIfUnchangedAsync"/>, where a failure (a deadlock with a concurrent writer among them) leaves the
    /// refresh to the locked path, which retries what is transient and reports the rest
    /// </summary>
    /// <returns>Whether every row was written</returns>
    protected virtual async Task<bool> TryUpdateIfUnchangedAsync(IList<(CustomerOrderStatistics Row, OrderAggregate Figures)> changes)
    {
        try
        {
            return await UpdateIfUnchangedAsync(changes) == changes.Count;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Refreshes one customer (what an order event needs) with small statements whose SQL linq2db reuses: the
    /// customer's rows read with his orders summed up per store and status, without a transaction; when the rows exist
    /// and at most two differ (one order changes its store's and all stores'), one statement writes them, only where
    /// they are still as read. Otherwise (new rows, more rows, another refresh wrote meanwhile, or the statement met a
    /// lock conflict) the refresh runs again under the rows' lock (see <see cref="RefreshLockedAsync"/>).
    /// </summary>
    protected virtual Task<CustomerStatisticsRefresh> RefreshOneCustomerAsync(int customerId, DateTime nowUtc) =>
        RefreshOneCustomerAsync(customerId, nowUtc,
            () => _dailyPurchasesService.RefreshCustomerAsync(customerId),
            () => _purchasedProductService.RefreshCustomerAsync(customerId), null);

    /// <summary>
    /// Refreshes one customer's statistics as <see cref="RefreshOneCustomerAsync(int, DateTime)"/> does, with his
    /// purchases per day and products bought (all of them, or what one order changes), reading the rows of segments'
    /// customers given with his statistics rows
    /// </summary>
    protected virtual async Task<CustomerStatisticsRefresh> RefreshOneCustomerAsync(int customerId, DateTime nowUtc,
        Func<Task<bool>> refreshDaysAsync, Func<Task<bool>> refreshProductsAsync, IQueryable<SegmentCustomer> segmentCustomers)
    {
        if (Transaction.Current != null)
        {
            //the caller's transaction holds one connection: one refresh after the other
            var daysWritten = await refreshDaysAsync();
            var productsWritten = await refreshProductsAsync();
            var refreshed = await RefreshStatisticsRowsAsync(customerId, nowUtc, segmentCustomers);

            return refreshed with { PurchasesPerDayWritten = daysWritten, PurchasedProductsWritten = productsWritten };
        }

        //the three kinds of figures read and write their own tables, each refresh on its own connection: they run at
        //the same time, so that an event waits for the longest of them rather than for their sum
        var days = refreshDaysAsync();
        var products = refreshProductsAsync();
        var statistics = RefreshStatisticsRowsAsync(customerId, nowUtc, segmentCustomers);
        await Task.WhenAll(days, products, statistics);

        return (await statistics) with { PurchasesPerDayWritten = await days, PurchasedProductsWritten = await products };
    }

    /// <summary>
    /// The statistics rows of one customer brought in line with his orders (see <see cref="RefreshOneCustomerAsync(int, DateTime)"/>),
    /// with the rows of segments' customers given read in the same statement as his rows
    /// </summary>
    protected virtual async Task<CustomerStatisticsRefresh> RefreshStatisticsRowsAsync(int customerId, DateTime nowUtc, IQueryable<SegmentCustomer> segmentCustomers)
    {
        //rows and orders as of one moment: a refresh that wrote before had read no more orders than are read here,
        //and one that writes after makes the guarded statement write nothing
        var (rows, groups, segmentCustomersRead) = await ReadCustomerAsync(customerId, nowUtc, segmentCustomers);
        var refreshed = await WriteChangedRowsAsync(customerId, nowUtc, rows, groups);

        return refreshed with { SegmentCustomers = segmentCustomersRead };
    }

    /// <summary>
    /// Writes the customer's rows whose figures differ from his orders' as read (see <see cref="RefreshStatisticsRowsAsync"/>)
    /// </summary>
    protected virtual async Task<CustomerStatisticsRefresh> WriteChangedRowsAsync(int customerId, DateTime nowUtc,
        List<CustomerOrderStatistics> rows, List<OrderStatusAggregate> groups)
    {
        var storeIds = StoreIdsOf(rows, groups);
        if (storeIds.All(storeId => rows.Any(row => row.StoreId == storeId)))
        {
            var changes = storeIds
                .Select(storeId => (Row: rows.First(row => row.StoreId == storeId), Figures: Summarize(customerId, storeId, groups)))
                .Where(change => !SameFigures(change.Row, change.Figures))
                .ToList();
            if (changes.Count == 0)
                return new CustomerStatisticsRefresh(false, rows);

            if (changes.Count <= 2 && await TryUpdateIfUnchangedAsync(changes))
                return new CustomerStatisticsRefresh(true, rows);
        }

        return await RefreshLockedAsync(customerId, nowUtc);
    }

    /// <summary>
    /// Refreshes one customer in a transaction: the customer's rows locked, the orders read summed up per store and
    /// status, then only the rows whose figures differ written (RFM scores kept), rows for new stores inserted. The
    /// same rows as the set-based refresh: one per store with orders (kept, emptied, once the orders are gone) and
    /// one for all stores.
    /// </summary>
    protected virtual async Task<CustomerStatisticsRefresh> RefreshLockedAsync(int customerId, DateTime nowUtc)
    {
        var written = false;
        List<CustomerOrderStatistics> refreshed = [];
        //a row inserted by a refresh committed meanwhile fails the INSERT (unique index): the transaction runs again
        await _segmentMembershipTransaction.RunAsync(async () =>
        {
            written = false;
            //refreshes of one customer run one after the other, each reading the orders as the previous one left them
            await _statisticsRepository.Table
                .Where(s => s.CustomerId == customerId)
                .Set(s => s.OrderCount, s => s.OrderCount)
                .UpdateAsync();

            var groups = await AggregateCustomerOrdersAsync(customerId, nowUtc);
            var rows = await _statisticsRepository.Table.Where(s => s.CustomerId == customerId).ToListAsync();
            refreshed = rows;

            foreach (var storeId in StoreIdsOf(rows, groups))
            {
                var aggregate = Summarize(customerId, storeId, groups);
                var row = rows.FirstOrDefault(item => item.StoreId == storeId);
                if (row == null)
                {
                    row = new CustomerOrderStatistics { CustomerId = customerId, StoreId = storeId };
                    CopyFigures(aggregate, row);
                    await _statisticsRepository.InsertAsync(row, false);
                    rows.Add(row);
                    written = true;
                }
                else if (!SameFigures(row, aggregate))
                {
                    CopyFigures(aggregate, row);
                    await _statisticsRepository.UpdateAsync(row, false);
                    written = true;
                }
            }
        });

        return new CustomerStatisticsRefresh(written, refreshed);
    }

    /// <summary>
    /// Writes the figures of the aggregates (counts, totals, dates, window figures) into the rows of the same
    /// customer and store, only where they differ; RFM scores are kept
    /// </summary>
    protected virtual Task<int> UpdateDifferingAsync(IQueryable<OrderAggregate> aggregates)
    {
        var rows = from s in _statisticsRepository.Table
            join a in aggregates on new { s.CustomerId, s.StoreId } equals new { a.CustomerId, a.StoreId }
            where s.OrderCount != a.OrderCount || s.TotalSpent != a.TotalSpent
                || s.FirstOrderOnUtc != a.FirstOrderOnUtc || s.LastOrderOnUtc != a.LastOrderOnUtc
                || s.RefundedOrderCount != a.RefundedOrderCount || s.CancelledOrderCount != a.CancelledOrderCount
                || s.RfmOrderCount != a.RfmOrderCount || s.RfmTotalSpent != a.RfmTotalSpent
            select new { Row = s, Figures = a };

        return rows.UpdateAsync(x => x.Row, x => new CustomerOrderStatistics
        {
            OrderCount = x.Figures.OrderCount,
            TotalSpent = x.Figures.TotalSpent,
            FirstOrderOnUtc = x.Figures.FirstOrderOnUtc,
            LastOrderOnUtc = x.Figures.LastOrderOnUtc,
            RefundedOrderCount = x.Figures.RefundedOrderCount,
            CancelledOrderCount = x.Figures.CancelledOrderCount,
            RfmOrderCount = x.Figures.RfmOrderCount,
            RfmTotalSpent = x.Figures.RfmTotalSpent
        });
    }

    /// <summary>
    /// Brings the rows of these customers in line with their orders, as a full recompute would leave them (RFM scores
    /// apart): rows whose figures differ are updated, missing rows added (without scores), rows of stores where the
    /// customer has no orders any more removed; then the same for the rows for all stores
    /// </summary>
    protected virtual async Task ReconcileCustomersAsync(int[] customerIds, DateTime nowUtc)
    {
        var statistics = _statisticsRepository.Table;
        var orders = _orderRepository.Table.Where(o => !o.Deleted && o.StoreId > 0);

        var storeRows = AggregateOrders(_orderRepository.Table.Where(o => customerIds.Contains(o.CustomerId)), nowUtc).AsSubQuery();
        await UpdateDifferingAsync(storeRows);
        await InsertUnrankedAsync(storeRows.Where(a => !statistics.Any(s => s.CustomerId == a.CustomerId && s.StoreId == a.StoreId)));
        await statistics
            .Where(s => s.StoreId > 0 && customerIds.Contains(s.CustomerId)
                && !orders.Any(o => o.CustomerId == s.CustomerId && o.StoreId == s.StoreId))
            .DeleteAsync();

        var allStoresRows = AggregateStores(statistics.Where(s => customerIds.Contains(s.CustomerId))).AsSubQuery();
        await UpdateDifferingAsync(allStoresRows);
        await InsertUnrankedAsync(allStoresRows.Where(a => !statistics.Any(s => s.CustomerId == a.CustomerId && s.StoreId == 0)));
        await statistics
            .Where(s => s.StoreId == 0 && customerIds.Contains(s.CustomerId) && !orders.Any(o => o.CustomerId == s.CustomerId))
            .DeleteAsync();
    }

    /// <summary>
    /// Removes the rows that read as "no orders" (all figures 0, as a per-customer refresh leaves a customer whose
    /// orders were deleted) when the customer has no orders (not deleted) in that store any more: a full recompute
    /// has no row for them
    /// </summary>
    protected virtual Task<int> DeleteRowsWithoutOrdersAsync()
    {
        var orders = _orderRepository.Table.Where(o => !o.Deleted && o.StoreId > 0);

        return _statisticsRepository.Table
            .Where(s => s.OrderCount == 0 && s.RefundedOrderCount == 0 && s.CancelledOrderCount == 0
                && !orders.Any(o => o.CustomerId == s.CustomerId && (s.StoreId == 0 || o.StoreId == s.StoreId)))
            .DeleteAsync();
    }

    /// <summary>
    /// Brings the statistics, current for the settings and last refreshed at <paramref name="lastUtc"/>, to
    /// <paramref name="nowUtc"/> in place: only the customers with orders that crossed the start of the RFM window
    /// between the two moments, or that were placed since <paramref name="lastUtc"/> (should an order event have
    /// been missed), are recomputed; then the scores are re-ranked, writing only the rows whose scores change.
    /// Orders changed without an event (e.g. a refund) long after they were placed are not looked at: the order
    /// events keep those customers current.
    /// </summary>
    protected virtual async Task RefreshInPlaceAsync(DateTime lastUtc, DateTime nowUtc)
    {
        var lastStart = RfmWindowStart(lastUtc);
        var start = RfmWindowStart(nowUtc);
        var crossedFrom = lastStart < start ? lastStart : start;
        var crossedTo = lastStart < start ? start : lastStart;
        var placedSince = lastUtc < nowUtc ? lastUtc : nowUtc;

        //one table and two ranges of one index, read once for both lists below
        var moved = await _orderRepository.Table
            .Where(o => o.CreatedOnUtc >= crossedFrom && o.CreatedOnUtc < crossedTo || o.CreatedOnUtc >= placedSince)
            .Select(o => new { o.CustomerId, PlacedSince = o.CreatedOnUtc >= placedSince })
            .Distinct()
            .ToListAsync();
        var customerIds = moved.Select(order => order.CustomerId).Distinct().ToList();
        //the purchases per day and the products bought do not move with time: only the customers whose orders were placed
        //since (a missed event)
        var placedSinceIds = moved.Where(order => order.PlacedSince).Select(order => order.CustomerId).Distinct().ToList();
        await _dailyPurchasesService.RefreshCustomersAsync(placedSinceIds);
        await _purchasedProductService.RefreshCustomersAsync(placedSinceIds);

        //a batch of customers at a time, each in a transaction of its own, and the ranking's statements on their own: an
        //order event of a customer whose rows the refresh writes waits for the statements of his batch, not for the
        //whole refresh (a minute at a million customers, every checkout of a re-ranked buyer held until its end)
        foreach (var batch in customerIds.Order().Chunk(RefreshCustomersPerBatch))
            await _segmentMembershipTransaction.RunAsync(() => ReconcileCustomersAsync(batch, nowUtc));

        await DeleteRowsWithoutOrdersAsync();
        await RankAsync();
    }

    #endregion

    #region Methods

    public virtual bool AreCurrent() => AreCurrentFor(_settings);

    public virtual async Task RefreshAllAsync(DateTime nowUtc)
    {
        nowUtc = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
        if (!AreCurrent() || _settings.OrderStatisticsRefreshedOnUtc is not { } lastUtc)
        {
            await RecomputeAllAsync(nowUtc);
            return;
        }

        //a failure leaves the moment of the last refresh as it was: the next refresh recomputes the same customers
        await RefreshInPlaceAsync(DateTime.SpecifyKind(lastUtc, DateTimeKind.Utc), nowUtc);
        await SaveRefreshedOnAsync(nowUtc);
    }

    public virtual async Task RecomputeAllAsync(DateTime nowUtc)
    {
        nowUtc = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
        var key = SettingsKey(_settings);

        //should a statement fail, the statistics stay marked as not current and the next rebuild refreshes them
        if (_settings.OrderStatisticsKey != null)
            await SaveSettingsKeyAsync(null);

        await SaveRecomputeStartedOnAsync(DateTime.UtcNow);
        try
        {
            //a range at a time, each in a transaction of its own: a refresh of one of its customers running at the same
            //time (an instance whose settings do not tell it yet) waits for the range rather than add rows between the
            //DELETE and the INSERT; while the figures are not current the rules read the orders for the periods and
            //products, and the order events queue their customers
            foreach (var range in await CustomerIdRangesAsync(RecomputeCustomerIdsPerRange))
                await _segmentMembershipTransaction.RunAsync(() => RecomputeCustomersAsync(range, nowUtc));

            await RankAsync();

            await SaveRefreshedOnAsync(nowUtc);
            await SaveSettingsKeyAsync(key);
        }
        finally
        {
            await SaveRecomputeStartedOnAsync(null);
        }
    }

    public virtual async Task<bool> RefreshCustomersAsync(IList<int> customerIds, DateTime nowUtc)
    {
        nowUtc = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
        var statistics = _statisticsRepository.Table;

        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        if (ids.Count == 1)
            return (await RefreshOneCustomerAsync(ids[0], nowUtc)).Written;

        foreach (var batch in ids.Chunk(CustomerBatchSize))
        {
            //a customer's row inserted by a full refresh committed meanwhile fails the INSERT (unique index): run again
            await _segmentMembershipTransaction.RunAsync(async () =>
            {
                await UpdateExistingAsync(batch, nowUtc);

                var storeRows = AggregateOrders(_orderRepository.Table.Where(o => batch.Contains(o.CustomerId)), nowUtc)
                    .AsSubQuery()
                    .Where(a => !statistics.Any(s => s.CustomerId == a.CustomerId && s.StoreId == a.StoreId));
                await InsertUnrankedAsync(storeRows);

                var allStoresRows = AggregateStores(statistics.Where(s => batch.Contains(s.CustomerId)))
                    .AsSubQuery()
                    .Where(a => !statistics.Any(s => s.CustomerId == a.CustomerId && s.StoreId == 0));
                await InsertUnrankedAsync(allStoresRows);
            });
        }

        await _dailyPurchasesService.RefreshCustomersAsync(ids);
        await _purchasedProductService.RefreshCustomersAsync(ids);

        //the statements of a batch do not tell rows written from rows matched alike on every engine
        return ids.Count > 0;
    }

    public virtual Task<CustomerStatisticsRefresh> RefreshCustomerAsync(int customerId, DateTime nowUtc)
    {
        if (customerId <= 0)
            return Task.FromResult(new CustomerStatisticsRefresh(false, []));

        return RefreshOneCustomerAsync(customerId, DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc));
    }

    public virtual async Task<CustomerStatisticsRefresh> RefreshOrderCustomerAsync(Order order, DateTime nowUtc, IReadOnlyCollection<DateTime> periodStartsUtc = null,
        PurchaseNames purchaseNames = null, IQueryable<SegmentCustomer> segmentCustomers = null)
    {
        if (order == null || order.Id <= 0)
            return await RefreshCustomerAsync(order?.CustomerId ?? 0, nowUtc);

        var customerId = order.CustomerId;
        if (customerId <= 0)
            return new CustomerStatisticsRefresh(false, []);

        CustomerPeriodPurchases periods = null;
        CustomerNamedPurchases named = null;
        var refreshed = await RefreshOneCustomerAsync(customerId, DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc),
            async () =>
            {
                var day = await _dailyPurchasesService.RefreshCustomerDayAsync(customerId, order.CreatedOnUtc, periodStartsUtc);
                periods = day.Periods;
                return day.Written;
            },
            async () =>
            {
                var products = await _purchasedProductService.RefreshOrderAsync(order, purchaseNames);
                named = products.Purchases;
                return products.Written;
            },
            segmentCustomers);

        return refreshed with { PurchasesOfPeriods = periods, NamedPurchases = named };
    }

    public virtual async Task<IReadOnlyList<CustomerOrderStatistics>> GetCustomerStatisticsAsync(int customerId) =>
        await _statisticsRepository.Table.Where(s => s.CustomerId == customerId).ToListAsync();

    #endregion
}

/// <summary>
/// What the refresh of one customer's statistics did: whether a row was written, and the customer's rows as they
/// were left (one per store with orders and one for all stores, store 0; none without orders)
/// </summary>
public record CustomerStatisticsRefresh(bool Written, IReadOnlyList<CustomerOrderStatistics> Rows)
{
    /// <summary>
    /// Whether a row of his purchases per day was written (true when not known)
    /// </summary>
    public bool PurchasesPerDayWritten { get; init; } = true;

    /// <summary>
    /// Whether a row of his products bought was written (true when not known)
    /// </summary>
    public bool PurchasedProductsWritten { get; init; } = true;

    /// <summary>
    /// His purchases in the periods the refresh was asked to read, as it left them (null when it read none)
    /// </summary>
    public CustomerPeriodPurchases PurchasesOfPeriods { get; init; }

    /// <summary>
    /// His rows of the products the refresh was asked to read, as it left them (null when it read none, or recomputed them)
    /// </summary>
    public CustomerNamedPurchases NamedPurchases { get; init; }

    /// <summary>
    /// The rows of segments' customers the refresh was asked to read with his statistics rows (null when it read none)
    /// </summary>
    public IReadOnlyList<SegmentCustomer> SegmentCustomers { get; init; }
}

/// <summary>
/// A customer's orders in one store (or all stores) summed up
/// </summary>
public class OrderAggregate
{
    public int CustomerId { get; set; }

    public int StoreId { get; set; }

    public int OrderCount { get; set; }

    public decimal TotalSpent { get; set; }

    public DateTime? FirstOrderOnUtc { get; set; }

    public DateTime? LastOrderOnUtc { get; set; }

    public int RefundedOrderCount { get; set; }

    public int CancelledOrderCount { get; set; }

    public int RfmOrderCount { get; set; }

    public decimal RfmTotalSpent { get; set; }
}

/// <summary>
/// A scored statistics row's measures and its places among the buyers of its store, in the order of each measure
/// </summary>
public class RfmPlace
{
    public int StoreId { get; set; }

    public DateTime? LastOrderOnUtc { get; set; }

    public int RfmOrderCount { get; set; }

    public decimal RfmTotalSpent { get; set; }

    public long RecencyPlace { get; set; }

    public long FrequencyPlace { get; set; }

    public long MonetaryPlace { get; set; }

    public long Buyers { get; set; }
}

/// <summary>
/// A store's thresholds of the RFM scores: per measure, the values above which a score is at least 2, 3, 4 and 5
/// </summary>
public class RfmThresholds
{
    public DateTime?[] Recency { get; } = new DateTime?[4];

    public int[] Frequency { get; } = new int[4];

    public decimal[] Monetary { get; } = new decimal[4];
}

/// <summary>
/// One line of the read of a customer's statistics rows (<see cref="RowId"/> set, with the row's figures), order
/// groups (<see cref="RowId"/> 0, with the group's figures) and segments' customers read with them
/// (<see cref="SegmentCustomerLine"/>: the segment in <see cref="StoreId"/>, the customer in <see cref="PaymentStatusId"/>,
/// <see cref="OrderStatusId"/> 1 for a membership)
/// </summary>
public class CustomerStatisticsRead
{
    public const int SegmentCustomerLine = -1;

    public int RowId { get; set; }

    public int StoreId { get; set; }

    public int PaymentStatusId { get; set; }

    public int OrderStatusId { get; set; }

    public int Count { get; set; }

    public decimal Total { get; set; }

    public DateTime? FirstOnUtc { get; set; }

    public DateTime? LastOnUtc { get; set; }

    public int WindowCount { get; set; }

    public decimal WindowTotal { get; set; }

    public int RefundedOrderCount { get; set; }

    public int CancelledOrderCount { get; set; }

    public int RecencyScore { get; set; }

    public int FrequencyScore { get; set; }

    public int MonetaryScore { get; set; }
}

/// <summary>
/// A customer's orders in one store with one payment status and one order status summed up, with the part placed
/// in the RFM window
/// </summary>
public class OrderStatusAggregate
{
    public int StoreId { get; set; }

    public int PaymentStatusId { get; set; }

    public int OrderStatusId { get; set; }

    public int Count { get; set; }

    public decimal Total { get; set; }

    public DateTime FirstOnUtc { get; set; }

    public DateTime LastOnUtc { get; set; }

    public int WindowCount { get; set; }

    public decimal WindowTotal { get; set; }
}
