using LinqToDB.Data;
using Moq;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Localization;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;
using Nop.Services.Localization;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// The plugin's own services over the benchmark database, wired as nopCommerce would (only nopCommerce's
/// logger and localization are stand-ins)
/// </summary>
public class EngineBench
{
    public EngineBench(TestDatabase database)
    {
        Shop = new TestShop(database);
        var catalog = new RuleFieldCatalog();
        Serializer = new SegmentRuleSerializer();
        StaticCache = new InMemoryStaticCacheManager();
        CacheInvalidator = new SegmentCacheInvalidator(StaticCache);
        var segmentsForValidator = new SegmentService(Shop.Repository<Segment>(), Shop.Repository<SegmentMembership>(), Shop.Repository<LocalizedProperty>(),
            CacheInvalidator, Serializer, new SegmentRuleAnalyzer(catalog), null);
        var lookups = new SegmentValueLookupService(Shop.Repository<Nop.Core.Domain.Catalog.Category>(), Shop.Repository<Nop.Core.Domain.Directory.Country>(),
            Shop.Repository<CustomerAttributeValue>(), Shop.Repository<CustomerRole>(), Shop.Repository<Nop.Core.Domain.Catalog.Manufacturer>(),
            Shop.Repository<Nop.Core.Domain.Catalog.Product>(), Shop.Repository<Segment>(), Shop.Repository<Nop.Core.Domain.Directory.StateProvince>(),
            Shop.Repository<Nop.Core.Domain.Stores.Store>(), Shop.Repository<Nop.Core.Domain.Vendors.Vendor>(),
            Shop.Repository<Nop.Core.Domain.Affiliates.Affiliate>(), Shop.Repository<Nop.Core.Domain.Common.Address>(),
            Shop.Repository<CustomerAttribute>());
        var localization = new Mock<ILocalizationService>().Object;
        var validator = new SegmentRuleValidator(catalog, Serializer, segmentsForValidator, localization,
            new LocaleResourceFormatter(localization, new Mock<ILogger>().Object), lookups);
        var settings = Settings = new CustomerSegmentsSettings();
        DailyPurchases = new TimedDailyPurchasesService(settings, Shop.DataProvider, Shop.Repository<Order>(), Shop.Repository<CustomerDailyPurchases>(),
            new SegmentMembershipTransaction(Shop.Repository<Segment>()));
        PurchasedProducts = new TimedPurchasedProductService(settings, Shop.DataProvider, Shop.Repository<Order>(), Shop.Repository<OrderItem>(),
            Shop.Repository<CustomerPurchasedProduct>(), new SegmentMembershipTransaction(Shop.Repository<Segment>()));
        Statistics = new CustomerOrderStatisticsService(settings, Shop.DataProvider, new Mock<Nop.Services.Configuration.ISettingService>().Object,
            Shop.Repository<Customer>(), Shop.Repository<CustomerCustomerRoleMapping>(), Shop.Repository<CustomerRole>(), Shop.Repository<Order>(),
            Shop.Repository<CustomerOrderStatistics>(), new SegmentMembershipTransaction(Shop.Repository<Segment>()), DailyPurchases, PurchasedProducts);
        QueryBuilder = Shop.NewRuleQueryBuilder(settings);
        Validator = validator;
        Rebuild = new SegmentRebuildService(new Mock<ILogger>().Object, Shop.DataProvider, Shop.Repository<Segment>(),
            Shop.Repository<SegmentMembership>(), CacheInvalidator, QueryBuilder, Serializer, validator,
            new SegmentRuleAnalyzer(catalog), Statistics, new SegmentMembershipTransaction(Shop.Repository<Segment>()),
            new SegmentMembershipSynchronizer(Shop.DataProvider, Shop.Repository<Customer>(), Shop.Repository<SegmentMembership>()));
        Reevaluation = new SegmentReevaluationService(new Mock<ILogger>().Object, Shop.DataProvider, Shop.Repository<Segment>(),
            Shop.Repository<SegmentMembership>(), CacheInvalidator, QueryBuilder, Serializer, validator,
            new SegmentRuleAnalyzer(catalog), Statistics, new SegmentMembershipTransaction(Shop.Repository<Segment>()),
            new ActiveSegmentReader(Shop.Repository<Segment>(), StaticCache), new CustomerReevaluationLock());
    }

    public TestShop Shop { get; }
    public InMemoryStaticCacheManager StaticCache { get; }
    public ISegmentCacheInvalidator CacheInvalidator { get; }
    public SegmentRuleSerializer Serializer { get; }
    public ISegmentRuleValidator Validator { get; }
    public SegmentRuleQueryBuilder QueryBuilder { get; }
    public CustomerSegmentsSettings Settings { get; }
    public SegmentRebuildService Rebuild { get; }
    public SegmentReevaluationService Reevaluation { get; }
    public CustomerOrderStatisticsService Statistics { get; }
    public TimedDailyPurchasesService DailyPurchases { get; }
    public TimedPurchasedProductService PurchasedProducts { get; }

    /// <summary>
    /// Recomputes the plugin's order statistics from all orders (what happens when they are not current: install,
    /// settings change), which the engine's queries read
    /// </summary>
    public async Task<double> RecomputeStatisticsAsync(DateTime nowUtc)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Statistics.RecomputeAllAsync(nowUtc);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        await VacuumPurchaseTablesAsync();
        return elapsed;
    }

    /// <summary>
    /// The time of the last VACUUM ANALYZE of the purchases per day and the products bought after their recompute
    /// (PostgreSQL; 0 elsewhere)
    /// </summary>
    public double PurchaseTablesVacuumMilliseconds { get; private set; }

    /// <summary>
    /// On PostgreSQL, VACUUM ANALYZE of the purchases per day and the products bought just recomputed (not timed with
    /// the recompute): what autovacuum does within a minute of the bulk inserts. Until then a freshly filled table has
    /// no statistics and no visibility map, and the period rules read it with a sequential scan instead of an
    /// index-only range scan (at 50,000 customers about 95 ms instead of 22 ms).
    /// </summary>
    protected virtual Task VacuumPurchaseTablesAsync()
    {
        PurchaseTablesVacuumMilliseconds = 0;
        if (Shop.Database.Engine != DatabaseEngine.PostgreSql)
            return Task.CompletedTask;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var connection = Shop.Database.CreateDataConnection();
        connection.CommandTimeout = 0;
        foreach (var table in new[] { CustomerSegmentsDefaults.DailyPurchasesTableName, CustomerSegmentsDefaults.PurchasedProductsTableName })
            connection.Execute($"VACUUM ANALYZE \"{table}\"");
        PurchaseTablesVacuumMilliseconds = watch.Elapsed.TotalMilliseconds;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Refreshes the plugin's order statistics as the scheduled rebuild does when they are current (in place: the
    /// customers whose orders crossed the RFM window's start or were placed since the last refresh, then the ranking)
    /// </summary>
    public async Task<double> RefreshStatisticsAsync(DateTime nowUtc)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Statistics.RefreshAllAsync(nowUtc);
        return watch.Elapsed.TotalMilliseconds;
    }

    public async Task<HashSet<int>> SelectAsync(DemoSegment segment, DateTime nowUtc)
    {
        var query = await QueryBuilder.BuildMatchingCustomerIdsQueryAsync(segment.Rule, 0, nowUtc);
        return (await query.ToListAsync()).ToHashSet();
    }

    public async Task<string> SqlAsync(DemoSegment segment, DateTime nowUtc)
    {
        var query = await QueryBuilder.BuildMatchingCustomerIdsQueryAsync(segment.Rule, 0, nowUtc);
        //linq2db 6's query.ToString() names the type only: the SQL, its parameters (name, type, value) as comments first
        var sql = LinqToDB.LinqExtensions.ToSqlQuery(query);
        return string.Concat(sql.Parameters.Select(p => $"-- {p.Name} {p.DataType} = {p.Value}\n")) + sql.Sql;
    }

    /// <summary>
    /// The ten demo segments as dynamic segments of the plugin (replacing earlier ones), memberships emptied
    /// </summary>
    public async Task<IList<Segment>> CreateSegmentsAsync(IReadOnlyList<DemoSegment> demo, DateTime nowUtc)
    {
        foreach (var demoSegment in demo)
        {
            var errors = await Validator.ValidateAsync(demoSegment.Rule, 0);
            if (errors.Count > 0)
                throw new InvalidOperationException($"Demo segment {demoSegment.Name}: {string.Join("; ", errors.Select(e => e.ToString()))}");
        }

        await Shop.Repository<SegmentMembership>().DeleteAsync(_ => true);
        await Shop.Repository<Segment>().DeleteAsync(_ => true);
        var segments = new List<Segment>();
        foreach (var demoSegment in demo)
        {
            var segment = new Segment
            {
                Name = demoSegment.Name,
                Description = demoSegment.Meaning,
                SegmentTypeId = (int)SegmentType.Dynamic,
                RuleJson = Serializer.Serialize(demoSegment.Rule),
                RuleSchemaVersion = SegmentRule.CurrentSchemaVersion,
                Active = true,
                CreatedOnUtc = nowUtc,
                UpdatedOnUtc = nowUtc
            };
            await Shop.Repository<Segment>().InsertAsync(segment, false);
            segments.Add(segment);
        }

        //written behind SegmentService's back: the cached active segments are dropped as the service drops them
        await CacheInvalidator.SegmentsChangedAsync();

        return segments;
    }
}
