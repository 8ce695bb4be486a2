using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Configuration;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Discounts;
using Nop.Core.Domain.Localization;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Stores;
using Nop.Core.Domain.Vendors;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Admin;
using Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Localization;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.SqlServer;

/// <summary>
/// The services' statements other than the rule queries, run on SQLite and built again for SQL Server (see
/// <see cref="SqlServerDryRun"/>): each translates, sends fewer than 2,100 parameters at the largest sizes the plugin
/// allows, and pages with an ORDER BY
/// </summary>
[TestFixture]
public class SqlServerServiceDryRunTests : SqlServerDryRunFixture
{
    private readonly CustomerSegmentsSettings _settings = new();
    private AdminTestData _data;
    private Segment _dynamic;
    private Segment _static;
    private Customer _ann;
    private Customer _bob;
    private InMemoryStaticCacheManager _staticCache;
    private SegmentCacheInvalidator _cacheInvalidator;
    private SegmentRuleSerializer _serializer;
    private SegmentRuleValidator _validator;
    private SegmentService _segmentService;
    private SegmentMembershipService _membershipService;
    private SegmentRebuildService _rebuildService;

    private SegmentReevaluationService _reevaluationService;

    protected override string[] MoreTables => ["Vendor", "Affiliate"];

    protected override async Task FillShopAsync()
    {
        var catalog = new RuleFieldCatalog();
        _serializer = new SegmentRuleSerializer();
        _staticCache = new InMemoryStaticCacheManager();
        _cacheInvalidator = new SegmentCacheInvalidator(_staticCache);
        _segmentService = new SegmentService(_shop.Repository<Segment>(), _shop.Repository<SegmentMembership>(), _shop.Repository<LocalizedProperty>(),
            _cacheInvalidator, _serializer, new SegmentRuleAnalyzer(catalog), new Lazy<ISegmentRuleValidator>(() => _validator));
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => key);
        _validator = new SegmentRuleValidator(catalog, _serializer, _segmentService, localization.Object, LocaleResourceFormatters.Over(localization.Object), Rules.KnownValues.All());
        _membershipService = new SegmentMembershipService(_shop.Repository<Segment>(), _shop.Repository<SegmentMembership>());
        var queries = _shop.NewRuleQueryBuilder(_settings);
        var statistics = Statistics();
        _rebuildService = new SegmentRebuildService(new Mock<ILogger>().Object, _shop.DataProvider, _shop.Repository<Segment>(),
            _shop.Repository<SegmentMembership>(), _cacheInvalidator, queries, _serializer, _validator,
            new SegmentRuleAnalyzer(catalog), statistics, new SegmentMembershipTransaction(_shop.Repository<Segment>()),
            new SegmentMembershipSynchronizer(_shop.DataProvider, _shop.Repository<Customer>(), _shop.Repository<SegmentMembership>()));
        _reevaluationService = new SegmentReevaluationService(new Mock<ILogger>().Object, _shop.DataProvider, _shop.Repository<Segment>(),
            _shop.Repository<SegmentMembership>(), _cacheInvalidator, queries, _serializer, _validator,
            new SegmentRuleAnalyzer(catalog), statistics, new SegmentMembershipTransaction(_shop.Repository<Segment>()),
            new ActiveSegmentReader(_shop.Repository<Segment>(), _staticCache), new CustomerReevaluationLock());

        _data = new AdminTestData(_shop);
        await _data.GuestAsync();
        _ann = await _data.CustomerAsync("ann@example.com", new DateTime(1980, 3, 4), "Ann", "Smith");
        _bob = await _data.CustomerAsync("Bob@Example.com", new DateTime(2001, 7, 8), "Bob");
        await _data.OrderAsync(_ann.Id, 120m, _now.AddDays(-40));
        await _data.OrderAsync(_ann.Id, 30m, _now.AddDays(-3));
        await _data.OrderAsync(_bob.Id, 15m, _now.AddDays(-200), storeId: 2);

        _dynamic = new Segment
        {
            Name = "Buyers",
            SegmentTypeId = (int)SegmentType.Dynamic,
            Active = true,
            RuleJson = Json(OrdersAtLeast(1), RegisteredMoreThanDaysAgo(1)),
            RuleSchemaVersion = 1
        };
        await _segmentService.InsertSegmentAsync(_dynamic);
        _static = await _data.SegmentAsync("Hand-picked", SegmentType.Static);
        await _data.MembershipAsync(_static.Id, _ann.Id, _now.AddDays(-10));
        await _data.MembershipAsync(_static.Id, _bob.Id, _now.AddDays(-20), _now.AddDays(-5));
        await Statistics().RecomputeAllAsync(_now);
        await _rebuildService.RebuildAllSegmentsAsync();
    }

    private CustomerOrderStatisticsService Statistics() =>
        _shop.NewOrderStatisticsService(_settings, new Mock<Nop.Services.Configuration.ISettingService>().Object);

    /// <summary>
    /// Every statement since the test began translated for SQL Server, none with 2,100 parameters or more, none with
    /// another engine's syntax, and each page of rows in an order
    /// </summary>
    private void AssertBuiltForSqlServer(string what)
    {
        Assert.That(_dryRun.Failures.Select(failure => $"{failure.Exception.GetType().Name}: {failure.Exception.Message}"), Is.Empty,
            $"{what}: linq2db writes every statement for SQL Server");
        var statements = _dryRun.Statements;
        Assert.That(statements, Is.Not.Empty, $"{what}: statements were built for SQL Server");
        foreach (var statement in statements)
        {
            Assert.That(statement.ParameterCount, Is.LessThan(SqlServerDryRun.MaxParameters), $"{what}: parameters of {Head(statement.Sql)}");
            Assert.That(statement.Sql, Does.Not.Contain("LIMIT ").And.Not.Contain("strftime").And.Not.Contain("julianday"),
                $"{what}: SQL Server syntax");
            if (!statement.Sql.Contains("OFFSET "))
                continue;

            Assert.That(statement.Sql, Does.Contain("ORDER BY"), $"{what}: a page is taken from ordered rows");
            //SQL Server's pages are stable only in a unique order: with ties, a row may show on two pages and another on none
            var orderBy = statement.Sql[statement.Sql.LastIndexOf("ORDER BY", StringComparison.Ordinal)..statement.Sql.LastIndexOf("OFFSET ", StringComparison.Ordinal)];
            Assert.That(orderBy, Does.Contain("].[Id]"), $"{what}: the order of a page ends with the rows' key: {Head(statement.Sql)}");
        }
    }

    private static string Head(string sql) => sql.Length <= 300 ? sql : sql[..300] + "...";

    private void AssertSomeStatement(string what, string fragment) =>
        Assert.That(_dryRun.Statements.Select(statement => statement.Sql), Has.Some.Contains(fragment), what);

    #region Reading

    [Test]
    public async Task AnalyticsBuildForSqlServer()
    {
        var service = new SegmentAnalyticsService(_settings, _shop.Repository<Customer>(), _shop.Repository<SegmentMembership>(), _shop.Repository<Order>(),
            _shop.Repository<CustomerRole>(), _shop.Repository<CustomerCustomerRoleMapping>(), _shop.Repository<CustomerOrderStatistics>(), _shop.Repository<CustomerDailyPurchases>(),
            new StoreTimeZoneDateTimeHelper(TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));

        await service.GetSizeOverTimeAsync(_static.Id, _now.AddDays(-30), _now);
        foreach (var storeId in new[] { 0, 1 })
        {
            await service.GetRevenueShareAsync(_static.Id, storeId, null, null);
            await service.GetRevenueShareAsync(_static.Id, storeId, _now.AddDays(-30), _now);
            await service.GetRevenueShareAsync(_static.Id, storeId, _now.AddDays(-30), null);
            await service.GetRfmGridAsync(_static.Id, storeId);
            foreach (var field in Enum.GetValues<SegmentHistogramField>())
            {
                await service.GetHistogramAsync(_static.Id, storeId, field, _now, null);
                await service.GetHistogramAsync(_static.Id, storeId, field, _now, HistogramBucketLimits.Max);
            }
        }

        await service.GetOverlapAsync(_static.Id);

        AssertBuiltForSqlServer("analytics");
    }

    [Test]
    public async Task MemberPagesBuildForSqlServer()
    {
        var search = new SegmentMemberSearchService(_shop.Repository<Customer>(), _shop.Repository<SegmentMembership>());
        foreach (var (pageIndex, pageSize) in new[] { (0, 15), (2, 100), (0, int.MaxValue) })
        {
            await search.SearchMembersAsync(_static.Id, null, pageIndex, pageSize);
            await search.SearchMembersAsync(_static.Id, " example ", pageIndex, pageSize);
            await _membershipService.GetMembersAsync(_static.Id, pageIndex, pageSize);
            await _segmentService.SearchSegmentsAsync("Buy", 1, pageIndex, pageSize);
        }

        await new SegmentMemberCsvService(_shop.Repository<Customer>(), _shop.Repository<SegmentMembership>()).ExportMembersAsync(_static, new MemoryStream());

        AssertBuiltForSqlServer("member pages");
        AssertSomeStatement("a later page is read with OFFSET/FETCH", "FETCH NEXT");
    }

    [Test]
    public async Task MembershipReadsBuildForSqlServer()
    {
        await _membershipService.GetSegmentIdsOfCustomerAsync(_ann.Id);
        await _membershipService.IsMemberAsync(_static.Id, _ann.Id);
        await _membershipService.CountMembersAsync(_static.Id);
        await _membershipService.CountMembersOfAllSegmentsAsync();
        await _membershipService.GetHistoryOfCustomerAsync(_ann.Id);
        await _membershipService.GetHistoryOfSegmentAsync(_static.Id);
        await new CustomerSegmentIdsReader(_membershipService, new InMemoryShortTermCacheManager(), new InMemoryStaticCacheManager()).GetSegmentIdsAsync(_bob.Id);

        AssertBuiltForSqlServer("membership reads");
    }

    [Test]
    public async Task PreviewBuildsForSqlServer()
    {
        var preview = new SegmentPreviewService(_shop.NewRuleQueryBuilder(_settings), _serializer, _validator);

        var result = await preview.PreviewAsync(_dynamic.RuleJson, _dynamic.Id, 1, Controllers.CustomerSegmentsAdminController.PreviewSampleSize, CancellationToken.None);

        Assert.That(result.Errors, Is.Empty);
        AssertBuiltForSqlServer("preview");
    }

    [Test]
    public async Task ValueLookupsBuildForSqlServer()
    {
        var lookup = new SegmentValueLookupService(_shop.Repository<Category>(), _shop.Repository<Country>(), _shop.Repository<CustomerAttributeValue>(),
            _shop.Repository<CustomerRole>(), _shop.Repository<Manufacturer>(), _shop.Repository<Product>(), _shop.Repository<Segment>(),
            _shop.Repository<StateProvince>(), _shop.Repository<Store>(), _shop.Repository<Vendor>(), _shop.Repository<Nop.Core.Domain.Affiliates.Affiliate>(), _shop.Repository<Nop.Core.Domain.Common.Address>(),
            _shop.Repository<CustomerAttribute>());
        //the most ids the admin asks names for at once
        var ids = Enumerable.Range(1, 500).ToList();
        foreach (var source in Enum.GetValues<RuleValueSource>())
        {
            await lookup.SearchAsync(source, null, 0, 0, Controllers.CustomerSegmentsAdminController.LookupPageSize);
            await lookup.SearchAsync(source, "a", 3, 4, Controllers.CustomerSegmentsAdminController.LookupPageSize);
            await lookup.GetByIdsAsync(source, ids);
            await lookup.GetExistingIdsAsync(source, ids);
        }

        AssertBuiltForSqlServer("value lookups");
        AssertSomeStatement("a later page is read with OFFSET/FETCH", "FETCH NEXT");
    }

    [Test]
    public async Task DiscountUsagesBuildForSqlServer()
    {
        var discount = new Discount { Name = "Ten", DiscountTypeId = 1, DiscountAmount = 10 };
        await _shop.Repository<Discount>().InsertAsync(discount, false);
        var requirement = new DiscountRequirement { DiscountId = discount.Id, DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName };
        await _shop.Repository<DiscountRequirement>().InsertAsync(requirement, false);
        _dryRun.Clear();

        await new SegmentDiscountUsageService(_shop.Repository<Discount>(), _shop.Repository<DiscountRequirement>(), _shop.Repository<Setting>())
            .GetUsagesAsync(_static.Id);

        AssertBuiltForSqlServer("discount usages");
    }

    #endregion

    #region Writing

    [Test]
    public async Task SegmentsLeasesAndRunsBuildForSqlServer()
    {
        var segment = new Segment { Name = "Temporary", SegmentTypeId = (int)SegmentType.Dynamic, Active = true, RuleJson = Json(Company("Acme")), RuleSchemaVersion = 1, StoreId = 7 };
        await _segmentService.InsertSegmentAsync(segment);
        await _segmentService.UpdateSegmentAsync(segment);
        await _segmentService.GetSegmentByIdAsync(segment.Id);
        await _segmentService.GetSegmentsByIdsAsync([segment.Id, _static.Id]);
        await _segmentService.GetAllSegmentsAsync(true);
        await _segmentService.GetReferencingSegmentsAsync(segment.Id);
        Assert.That(await _segmentService.DeactivateStoreSegmentsAsync(segment.StoreId), Has.Count.EqualTo(1));
        await _segmentService.DeleteSegmentAsync(segment);

        var leases = new SegmentLeaseService(_shop.Repository<SegmentLease>());
        await leases.TryAcquireAsync("dry-run", "a", TimeSpan.FromMinutes(5));
        await leases.TryAcquireAsync("dry-run", "b", TimeSpan.FromMinutes(5));
        await leases.RenewAsync("dry-run", "a", TimeSpan.FromMinutes(5));
        await leases.ReleaseAsync("dry-run", "a");

        var logger = new Mock<ILogger>().Object;
        var pending = new SegmentPendingCustomerService(logger, _shop.Repository<SegmentPendingCustomer>(), _reevaluationService);
        var runner = new SegmentRebuildRunner(logger, _shop.Repository<SegmentRebuildRun>(), leases, new SegmentPendingCustomerProcessor(logger, pending),
            _rebuildService, _validator, _segmentService);
        var runs = new InlineRunService(_shop.Repository<SegmentRebuildRun>(), runner, _validator, _segmentService);
        var run = await runs.StartAsync(_dynamic);
        await runs.GetLatestRunAsync(_dynamic.Id);
        await runner.GiveUpAsync(run.Id);

        AssertBuiltForSqlServer("segments, leases and runs");
    }

    /// <summary>
    /// "Rebuild now" run in the request, so that its statements are those of the test
    /// </summary>
    private class InlineRunService(Nop.Data.IRepository<SegmentRebuildRun> runRepository, ISegmentRebuildRunner runner, ISegmentRuleValidator validator,
        ISegmentService segmentService)
        : SegmentRebuildRunService(runRepository, new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(),
            validator, segmentService, new SegmentRuleAnalyzer(new RuleFieldCatalog()))
    {
        protected override Task LaunchAsync(int runId) => runner.RunAsync(runId);
    }

    /// <summary>
    /// The largest file the import reads: as many addresses as it takes, each as long as it takes, none known, so
    /// every batch is looked up as written and then without case
    /// </summary>
    [Test]
    public async Task TheLargestEmailImportBuildsForSqlServer()
    {
        var csv = new StringBuilder("Email\n");
        for (var i = 0; i < StaticSegmentService.BatchSize * 2 + 1; i++)
        {
            var local = $"Someone.{i}.";
            csv.Append(local).Append('x', EmailCsvParser.MaxEmailLength - local.Length - "@Example.com".Length).Append("@Example.com\n");
        }
        csv.Append("ann@example.com\nBOB@EXAMPLE.COM\n");
        var service = new StaticSegmentService(new EmailCsvParser(), _shop.DataProvider, _shop.Repository<Customer>(), _shop.Repository<SegmentMembership>(),
            _cacheInvalidator, _reevaluationService);

        var result = await service.ImportEmailsAsync(_static, new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())));
        await service.RemoveCustomersAsync(_static, Enumerable.Range(1, StaticSegmentService.BatchSize * 2 + 1).ToList());
        await service.AddCustomersAsync(_static, Enumerable.Range(1, StaticSegmentService.BatchSize * 2 + 1).ToList());

        Assert.That(result.UnknownEmails, Has.Count.EqualTo(StaticSegmentService.BatchSize * 2 + 1));
        AssertBuiltForSqlServer("email import");
    }

    [Test]
    public async Task RebuildsAndReevaluationsBuildForSqlServer()
    {
        await _rebuildService.RebuildAllSegmentsAsync();
        await _rebuildService.RebuildSegmentAsync(_dynamic);
        await _rebuildService.RebuildTimeDependentSegmentsAsync();
        await _rebuildService.RebuildAllSegmentsOnScheduleAsync();
        var order = await _data.OrderAsync(_bob.Id, 44m, _now.AddDays(-1));
        await _reevaluationService.ReevaluateOrderCustomerAsync(order);
        await _reevaluationService.ReevaluateCustomersAsync([_ann.Id], RuleDataSources.Customer | RuleDataSources.Orders);
        await _reevaluationService.ReevaluateCustomersAsync(Enumerable.Range(1, CustomerOrderStatisticsService.CustomerBatchSize * 2 + 1).ToList(),
            RuleDataSources.Customer | RuleDataSources.Orders | RuleDataSources.OtherSegments);

        var pending = new SegmentPendingCustomerService(new Mock<ILogger>().Object, _shop.Repository<SegmentPendingCustomer>(), _reevaluationService);
        await pending.QueueAsync(Enumerable.Range(1, CustomerSegmentsDefaults.PendingCustomerBatchSize + 1).ToList(), RuleDataSources.Orders);
        await pending.CountAsync();
        await pending.ProcessAsync();

        AssertBuiltForSqlServer("rebuilds and re-evaluations");
    }

    [Test]
    public async Task StatisticsBuildForSqlServer()
    {
        var statistics = Statistics();
        var daily = _shop.NewDailyPurchasesService(_settings);
        var products = _shop.NewPurchasedProductService(_settings);
        var order = await _data.OrderAsync(_ann.Id, 12m, _now.AddHours(-1));
        await _shop.Repository<OrderItem>().InsertAsync(new OrderItem
        {
            OrderId = order.Id, OrderItemGuid = Guid.NewGuid(), ProductId = 7, Quantity = 2, PriceInclTax = 6, PriceExclTax = 6,
            UnitPriceInclTax = 3, UnitPriceExclTax = 3
        }, false);
        _dryRun.Clear();

        await statistics.RecomputeAllAsync(_now);
        await statistics.RefreshAllAsync(_now);
        await statistics.RefreshCustomerAsync(_ann.Id, _now);
        await statistics.RefreshOrderCustomerAsync(order, _now);
        await statistics.RefreshCustomersAsync([_ann.Id], _now);
        await statistics.GetCustomerStatisticsAsync(_ann.Id);
        await daily.RecomputeCustomersAsync(CustomerIdRange.All);
        await daily.RecomputeCustomersAsync(new CustomerIdRange(20_000, 40_000));
        await daily.RefreshCustomerAsync(_ann.Id);
        await daily.RefreshCustomerDayAsync(_ann.Id, order.CreatedOnUtc);
        await daily.RefreshCustomersAsync([_ann.Id, _bob.Id]);
        await daily.GetCustomerDaysAsync(_ann.Id);
        await products.RecomputeCustomersAsync(CustomerIdRange.All);
        await products.RecomputeCustomersAsync(new CustomerIdRange(20_000, 40_000));
        await products.RefreshCustomerAsync(_ann.Id);
        await products.RefreshOrderAsync(order);
        await products.RefreshCustomersAsync([_ann.Id, _bob.Id]);
        await products.GetCustomerProductsAsync(_ann.Id);

        AssertBuiltForSqlServer("statistics");
        AssertSomeStatement("the RFM ranking", "ROW_NUMBER() OVER");
    }

    #endregion
}
