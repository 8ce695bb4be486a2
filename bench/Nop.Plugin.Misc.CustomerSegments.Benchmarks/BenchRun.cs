using System.Diagnostics;
using System.Text;
using LinqToDB;
using LinqToDB.Data;
using Microsoft.AspNetCore.Http;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Events;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// All measurements on one engine at one size: the shop (generated or reused), the hand-written baselines,
/// and the plugin's engine where it is available
/// </summary>
public class BenchRun
{
    private const int HandSegmentIdBase = 9000;
    private readonly DatabaseEngine _engine;
    private readonly ShopSize _size;
    private readonly BenchOptions _options;
    private readonly Action<string> _log;

    public BenchRun(DatabaseEngine engine, ShopSize size, BenchOptions options, Action<string> log)
    {
        _engine = engine;
        _size = size;
        _options = options;
        _log = log;
    }

    public bool MemoryOnly { get; init; }

    /// <summary>Only generate (or check) the cached shop</summary>
    public bool GenerateOnly { get; init; }

    public StringBuilder Report { get; } = new();

    public MemorySampler RebuildMemory { get; private set; }

    public async Task RunAsync()
    {
        _log($"bench: {_engine}, {_size}");
        var (database, existed) = await TestDatabase.OpenOrCreateNamedAsync(_engine, _size.DatabaseName, _options.SqliteDirectory, _options.MaxAutoPrepare);
        try
        {
            await RunAsync(database, existed);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private async Task RunAsync(TestDatabase database, bool existed)
    {

        var anchor = existed && !_options.Regenerate ? ShopGenerator.ReadMarker(database, _size) : null;
        if (anchor != null && !ShopGenerator.UpgradeEmailColumns(database, _log))
            anchor = null;
        string generation;
        if (anchor == null)
        {
            if (existed)
            {
                _log("bench: the cached shop is incomplete or stale: regenerating");
                await database.DropAsync();
                (database, _) = await TestDatabase.OpenOrCreateNamedAsync(_engine, _size.DatabaseName, _options.SqliteDirectory, _options.MaxAutoPrepare);
            }

            var watch = Stopwatch.StartNew();
            var model = new ShopModel(_size, DateTime.UtcNow.Date);
            _log($"bench: generating {_size} ({model.TotalOrders:N0} orders) into {database}");
            new ShopGenerator(database, model, _log).Generate();
            generation = $"generated in {watch.Elapsed.TotalSeconds:N0} s (not counted)";
            anchor = model.AnchorUtc;
        }
        else if (_options.AdminOnly && _options.ReuseMemberships)
        {
            generation = $"reused from the cache (database `{_size.DatabaseName}`, generated for {anchor:yyyy-MM-dd}; the plugin's tables, statistics and memberships as the last run left them)";
        }
        else
        {
            ShopGenerator.ResetPluginTables(database);
            generation = $"reused from the cache (database `{_size.DatabaseName}`, generated for {anchor:yyyy-MM-dd}; the plugin's tables recreated from its migrations)";
        }

        _log($"bench: shop {generation}");
        if (GenerateOnly)
            return;
        var now = anchor.Value;
        var segments = HandWrittenSegments.Create(now, _engine == DatabaseEngine.Sqlite);

        if (MemoryOnly)
        {
            var memoryEngine = new EngineBench(database);
            await memoryEngine.RecomputeStatisticsAsync(now);
            var (rebuildOnly, sample) = await EngineRebuildAsync(memoryEngine, segments, now);
            _log($"  engine full rebuild: {Measure.Ms(rebuildOnly)}, peak working set {Measure.Mb(sample.PeakWorkingSet)}");
            RebuildMilliseconds = rebuildOnly;
            return;
        }

        if (_options.StatisticsOnly)
        {
            //the order figures alone, as section (1) times them: the full recompute, then the scheduled in-place refreshes
            await StatisticsAsync(database, new EngineBench(database), now);
            return;
        }

        if (_options.RebuildOnly)
        {
            //the full rebuild alone, for before/after comparisons: statistics made current (not timed), a build from
            //empty memberships, then the runs over current memberships (what the scheduled rebuild usually finds)
            var rebuildEngine = new EngineBench(database);
            var recomputed = await rebuildEngine.RecomputeStatisticsAsync(now);
            _log($"  order statistics recomputed beforehand: {Measure.Ms(recomputed)}, of which the purchases per customer and day {Measure.Ms(rebuildEngine.DailyPurchases.RecomputeMilliseconds)} " +
                 $"and the products bought per customer {Measure.Ms(rebuildEngine.PurchasedProducts.RecomputeMilliseconds)}; then VACUUM ANALYZE of those {Measure.Ms(rebuildEngine.PurchaseTablesVacuumMilliseconds)}");
            var (firstBuild, _) = await EngineRebuildAsync(rebuildEngine, segments, now);
            //section (5) reports the memory sampled during this build beside its time
            RebuildMilliseconds = firstBuild;
            _log($"  engine full rebuild from empty memberships: {Measure.Ms(firstBuild)}");
            for (var run = 1; run <= _options.Runs; run++)
            {
                var watch = Stopwatch.StartNew();
                var results = await rebuildEngine.Rebuild.RebuildAllSegmentsAsync();
                _log($"  engine full rebuild over current memberships, run {run}: {Measure.Ms(watch.Elapsed.TotalMilliseconds)} ({results.Sum(r => r.Entered + r.Left):N0} changes)");
            }

            return;
        }

        var version = await ScalarAsync<string>(database, _engine == DatabaseEngine.PostgreSql ? "SHOW server_version" : "SELECT sqlite_version()");
        Report.AppendLine($"## {_engine} {version.Split(' ')[0]}: {_size.Customers:N0} customers").AppendLine();
        Report.AppendLine($"Shop {generation}. \"Now\" of the shop: {now:yyyy-MM-dd}.").AppendLine();
        if (_engine == DatabaseEngine.PostgreSql)
            Report.AppendLine(_options.MaxAutoPrepare > 0
                ? $"Connection string with Npgsql's `Max Auto Prepare={_options.MaxAutoPrepare}`: the most used statements are prepared per connection (planned once, not at every execution)."
                : "Connection string as nopCommerce writes it (no `Max Auto Prepare`): PostgreSQL plans every statement at every execution.").AppendLine();
        await DescribeShopAsync(database);

        //(1a) the order statistics: the full recompute, then the in-place refresh of the scheduled rebuild
        var engine = new EngineBench(database);
        if (_options.EventsOnly)
        {
            //section (3) alone: statistics and memberships made current (not timed), then the order events
            await engine.RecomputeStatisticsAsync(now);
            await EngineRebuildAsync(engine, segments, now);
            await PerCustomerAsync(database, segments, engine);
            return;
        }

        if (_options.AdminOnly)
        {
            //the admin pages alone: statistics and memberships made current (not timed), then the admin's operations
            if (_options.ReuseMemberships)
                PluginSegments = await engine.Shop.Repository<Nop.Plugin.Misc.CustomerSegments.Domain.Segment>().Table.OrderBy(segment => segment.Id).ToListAsync();
            else
            {
                await engine.RecomputeStatisticsAsync(now);
                await EngineRebuildAsync(engine, segments, now);
            }

            Report.Append(await new AdminBench(engine, _options.Runs, _log).RunAsync(PluginSegments, segments, now));
            return;
        }

        var statistics = await StatisticsAsync(database, engine, now);

        Report.AppendLine("### (2) Segments: the engine's query against hand-written SQL").AppendLine();
        Report.AppendLine($"{(_options.Runs == 1 ? "One run" : $"Median of {_options.Runs} runs")} after one warm-up run; each query reads the ids of the matching customers. " +
                          "The engine's query is SegmentRuleQueryBuilder's (store 0, default settings: guests excluded, paid and not cancelled orders).").AppendLine();
        Report.AppendLine("| # | segment | meaning | members | hand-written | engine | engine / hand | same set |");
        Report.AppendLine("|---:|---|---|---:|---:|---:|---:|---|");
        double total = 0, engineTotal = 0;
        foreach (var segment in segments)
        {
            var (ids, ms) = await TimeSelectAsync(database, segment);
            var (engineIds, engineMs) = await TimeEngineAsync(engine, segment, now);
            var same = ids.SetEquals(engineIds) ? "yes" : $"**no** ({engineIds.Except(ids).Count():N0} extra, {ids.Except(engineIds).Count():N0} missing)";
            total += ms;
            engineTotal += engineMs;
            Report.AppendLine($"| {segment.Number} | {segment.Name} | {segment.Meaning} | {ids.Count:N0} | {Measure.Ms(ms)} | {Measure.Ms(engineMs)} | {engineMs / ms:0.00} | {same} |");
            Console.Out.Flush();
            _log($"  {segment.Number,2} {segment.Name,-28} {ids.Count,9:N0} members  hand {Measure.Ms(ms)}  engine {Measure.Ms(engineMs)}  same: {same}");
        }

        Report.AppendLine($"| | **total** | | | **{Measure.Ms(total)}** | **{Measure.Ms(engineTotal)}** | {engineTotal / total:0.00} | |").AppendLine();

        //(1) full rebuild, set-based, hand-written
        var rebuild = await HandRebuildAsync(database, segments, now);
        Report.AppendLine($"Baseline: full rebuild of the 10 segments with hand-written set-based SQL (delete + INSERT ... SELECT into `CustomerSegmentMembership`): " +
                          $"**{Measure.Ms(rebuild.TotalMilliseconds)}** in total ({string.Join(", ", rebuild.PerSegment.Select((t, i) => $"#{i + 1} {Measure.Ms(t)}"))}).").AppendLine();

        //(1b) the full rebuild through the plugin with current statistics, from empty memberships (sampled: section (5))
        var (fullRebuild, sampler) = await EngineRebuildAsync(engine, segments, now);
        _log($"  engine full rebuild (first build, from empty memberships): {Measure.Ms(fullRebuild)}, peak working set {Measure.Mb(sampler.PeakWorkingSet)}");
        RebuildMilliseconds = fullRebuild;
        var fromEmpty = new List<double>();
        foreach (var segment in PluginSegments)
        {
            await engine.Shop.Repository<Nop.Plugin.Misc.CustomerSegments.Domain.SegmentMembership>().DeleteAsync(m => m.SegmentId == segment.Id);
            var watch = Stopwatch.StartNew();
            await engine.Rebuild.RebuildSegmentAsync(segment);
            fromEmpty.Add(watch.Elapsed.TotalMilliseconds);
        }

        _log($"  engine rebuild from empty, segment by segment: {Measure.Ms(fromEmpty.Sum())}");

        //(1c) over current memberships: what the scheduled rebuild usually finds (nothing or little changed)
        var overCurrentWatch = Stopwatch.StartNew();
        var overCurrentResults = await engine.Rebuild.RebuildAllSegmentsAsync();
        var overCurrent = overCurrentWatch.Elapsed.TotalMilliseconds;
        var overCurrentChanges = overCurrentResults.Sum(r => r.Entered + r.Left);
        var overCurrentEach = new List<double>();
        foreach (var segment in PluginSegments)
        {
            var watch = Stopwatch.StartNew();
            await engine.Rebuild.RebuildSegmentAsync(segment);
            overCurrentEach.Add(watch.Elapsed.TotalMilliseconds);
        }

        _log($"  engine full rebuild over current memberships: {Measure.Ms(overCurrent)} ({overCurrentChanges:N0} changes); segment by segment {Measure.Ms(overCurrentEach.Sum())}");

        //warm rebuild from empty: only when the first was short (at shop scale the first's translation overhead is noise)
        double? again = null;
        if (fullRebuild < 60_000)
        {
            var memory = RebuildMemory;
            (again, _) = await EngineRebuildAsync(engine, segments, now);
            RebuildMemory = memory;
            _log($"  engine full rebuild from empty again: {Measure.Ms(again.Value)}");
        }

        Report.AppendLine("### (1) Full rebuild of the 10 segments through the plugin").AppendLine();
        Report.AppendLine(statistics).AppendLine();
        Report.AppendLine("**Segments.** SegmentRebuildService.RebuildAllSegmentsAsync (all active dynamic segments: the eligible customers read once per run, " +
                          "then per segment the ids the rule's conditions match and the current members read and compared in memory, only the differences " +
                          "written: UPDATEs closing leavers' stays and INSERTs of newcomers per list of ids, a bulk copy when many join) with the order statistics current, as the order events and the scheduled refresh keep them: " +
                          "the rebuild reads them and does not refresh them (its time includes no statistics work).").AppendLine();
        Report.AppendLine($"- first build, from empty memberships: **{Measure.Ms(fullRebuild)}** (the process's first rebuild, including linq2db's first translation " +
                          "of the rebuild's statements; section (5) samples its memory)" +
                          (again is { } warm ? $"; again with the process warm: **{Measure.Ms(warm)}**" : " (not repeated warm at this size to keep the run's time)") + ";");
        Report.AppendLine($"- over current memberships (the usual scheduled rebuild: nothing changed since the last one; {overCurrentChanges:N0} entered or left): " +
                          $"**{Measure.Ms(overCurrent)}**.").AppendLine();
        Report.AppendLine("Each segment alone (SegmentRebuildService.RebuildSegmentAsync, statistics current): from empty memberships (the segment's memberships deleted first), " +
                          "and again over its current memberships:").AppendLine();
        Report.AppendLine("| # | segment | from empty | over current |");
        Report.AppendLine("|---:|---|---:|---:|");
        for (var i = 0; i < segments.Count; i++)
            Report.AppendLine($"| {segments[i].Number} | {segments[i].Name} | {Measure.Ms(fromEmpty[i])} | {Measure.Ms(overCurrentEach[i])} |");
        Report.AppendLine($"| | **sum** | **{Measure.Ms(fromEmpty.Sum())}** | **{Measure.Ms(overCurrentEach.Sum())}** |").AppendLine();

        //(4) the discount requirement check, over the memberships the rebuild wrote
        await RequirementAsync(engine);

        //(3) per-customer
        await PerCustomerAsync(database, segments, engine);
    }

    public IList<Nop.Plugin.Misc.CustomerSegments.Domain.Segment> PluginSegments { get; private set; }

    /// <summary>
    /// The order statistics: a full recompute two days before the shop's "now", then the in-place refresh the
    /// scheduled rebuild runs, one day later (its first, with linq2db's first translations) and another day later
    /// (steady state), then once more at the same moment (nothing moved: the ranking only). Leaves them current at "now".
    /// </summary>
    private async Task<string> StatisticsAsync(TestDatabase database, EngineBench engine, DateTime now)
    {
        var windowDays = new CustomerSegmentsSettings().RfmWindowDays;
        var recompute = await engine.RecomputeStatisticsAsync(now.AddDays(-2));
        var days = engine.DailyPurchases.RecomputeMilliseconds;
        var products = engine.PurchasedProducts.RecomputeMilliseconds;
        var vacuum = engine.PurchaseTablesVacuumMilliseconds;
        _log($"  order statistics, full recompute: {Measure.Ms(recompute)}, of which the purchases per customer and day {Measure.Ms(days)} and the products bought {Measure.Ms(products)}; then VACUUM ANALYZE of those {Measure.Ms(vacuum)}");
        var firstInPlace = await engine.RefreshStatisticsAsync(now.AddDays(-1));
        var (inPlace, duringRefresh) = await RefreshWithOrderEventsAsync(database, engine, now, windowDays);
        var unchanged = await engine.RefreshStatisticsAsync(now);
        _log($"  order statistics in place: first {Measure.Ms(firstInPlace)}, a day later {Measure.Ms(inPlace)}, nothing moved {Measure.Ms(unchanged)}");
        var duringRefreshFigures = duringRefresh.Count == 0 ? "none finished"
            : $"{duringRefresh.Count:N0} events, p50 {Measure.Ms(Measure.Percentile(duringRefresh, 50))}, p99 {Measure.Ms(Measure.Percentile(duringRefresh, 99))}, " +
              $"max {Measure.Ms(duringRefresh[^1])}";
        _log($"  order events during the refresh a day later: {duringRefreshFigures}");

        //the customers the day's in-place refresh recomputed: orders that left the window that day, or placed that day
        var moved = Convert.ToInt64(await ScalarAsync<object>(database,
            "SELECT COUNT(DISTINCT \"CustomerId\") FROM \"Order\" WHERE (\"CreatedOnUtc\" >= @leftFrom AND \"CreatedOnUtc\" < @leftTo) OR \"CreatedOnUtc\" >= @placedFrom",
            new DataParameter("leftFrom", now.AddDays(-1 - windowDays), DataType.DateTime2),
            new DataParameter("leftTo", now.AddDays(-windowDays), DataType.DateTime2),
            new DataParameter("placedFrom", now.AddDays(-1), DataType.DateTime2)));
        var rows = Convert.ToInt64(await ScalarAsync<object>(database, "SELECT COUNT(*) FROM \"CustomerSegmentOrderStatistics\""));
        var dayRows = Convert.ToInt64(await ScalarAsync<object>(database, "SELECT COUNT(*) FROM \"CustomerSegmentDailyPurchases\""));
        var purchasedRows = Convert.ToInt64(await ScalarAsync<object>(database, "SELECT COUNT(*) FROM \"CustomerSegmentPurchasedProduct\""));

        return $"**Order statistics** ({rows:N0} rows: per customer and store, and for all stores). " +
               $"Full recompute (CustomerOrderStatisticsService.RecomputeAllAsync: per range of {CustomerOrderStatisticsService.DefaultRecomputeCustomerIdsPerRange:N0} customer ids, in a transaction " +
               $"of its own, DELETE, INSERT ... SELECT grouped from the orders, INSERT of the all-stores rows, and the same for the two tables below; then the RFM ranking; " +
               $"what runs when they are not current: install, settings change; the process's first statistics call): **{Measure.Ms(recompute)}**, " +
               $"of which the purchases per customer, store and day kept with them ({dayRows:N0} rows; CustomerDailyPurchasesService.RecomputeCustomersAsync: DELETE, " +
               $"INSERT ... SELECT of the purchases grouped by customer, store and UTC day; read by the rules on the purchases of a period) **{Measure.Ms(days)}** " +
               $"(the longest range {Measure.Ms(engine.DailyPurchases.LongestRangeMilliseconds)}) " +
               $"and the products bought per customer and store ({purchasedRows:N0} rows; CustomerPurchasedProductService.RecomputeCustomersAsync: DELETE, INSERT ... SELECT of the order items " +
               $"of the purchases grouped by customer, store and product with the last purchase date; read by the rules on bought products, categories and manufacturers) **{Measure.Ms(products)}** " +
               $"(the longest range {Measure.Ms(engine.PurchasedProducts.LongestRangeMilliseconds)})" +
               (vacuum > 0 ? $", then VACUUM ANALYZE of those two tables (what autovacuum does within a minute of the bulk inserts; not timed with the recompute) {Measure.Ms(vacuum)}. " : ". ") +
               $"In place, as the scheduled rebuild refreshes them (CustomerOrderStatisticsService.RefreshAllAsync with current statistics: the customers whose orders left the " +
               $"{windowDays}-day RFM window or were placed since the last refresh are recomputed and only differing rows written, rows without orders removed, " +
               $"RFM re-ranked with only changed scores written): one day after the last refresh **{Measure.Ms(inPlace)}** " +
               $"({moved:N0} customers recomputed; the first in-place refresh of the process, the day before, took {Measure.Ms(firstInPlace)}); " +
               $"again at the same moment (nothing moved: the ranking only) **{Measure.Ms(unchanged)}**. Neither is part of the rebuild times below. " +
               $"While the refresh a day later ran, order events of the customers it recomputes (one after the other, the customers in turn until the refresh ended, each a new order inserted, then the plugin's " +
               $"OrderEventConsumer timed, as in section (3)): {duringRefreshFigures}.";
    }

    /// <summary>
    /// The scheduled in-place refresh, with order events placed one after the other while it runs, for the customers
    /// whose orders left the RFM window that day (those it recomputes, whose rows it writes) in turn; then the events' orders
    /// removed and their customers' figures refreshed again, so that the later phases find the shop as generated
    /// </summary>
    /// <returns>The refresh's time, and the events' times, sorted</returns>
    private async Task<(double RefreshMilliseconds, List<double> EventMilliseconds)> RefreshWithOrderEventsAsync(TestDatabase database,
        EngineBench engine, DateTime now, int windowDays)
    {
        await using var connection = database.CreateDataConnection();
        var customers = await connection.QueryToListAsync<int>(
            "SELECT DISTINCT \"CustomerId\" FROM \"Order\" WHERE \"CreatedOnUtc\" >= @leftFrom AND \"CreatedOnUtc\" < @leftTo ORDER BY \"CustomerId\"",
            new DataParameter("leftFrom", now.AddDays(-1 - windowDays), DataType.DateTime2),
            new DataParameter("leftTo", now.AddDays(-windowDays), DataType.DateTime2));
        var logger = new Mock<ILogger>();
        var pendingCustomers = new SegmentPendingCustomerService(logger.Object, engine.Shop.Repository<SegmentPendingCustomer>(), engine.Reevaluation);
        var consumer = new OrderEventConsumer(engine.Settings, logger.Object, pendingCustomers, engine.Reevaluation, new ReevaluatedOrderTracker(new HttpContextAccessor()));

        var times = new List<double>();
        var placedFor = new List<int>();
        var refresh = engine.RefreshStatisticsAsync(now);
        //round after round over those customers until the refresh ends: a customer's event may wait only while the refresh
        //holds his rows, at any point of it
        for (var next = 0; customers.Count > 0 && !refresh.IsCompleted; next++)
        {
            var customerId = customers[next % customers.Count];
            var order = EventOrder(customerId, DuringRefreshEventNumbers + placedFor.Count);
            await engine.Shop.Repository<Order>().InsertAsync(order, false);
            await engine.Shop.Repository<OrderItem>().InsertAsync(EventOrderItems(order, placedFor.Count), false);
            placedFor.Add(customerId);
            var watch = Stopwatch.StartNew();
            await consumer.HandleEventAsync(new OrderPlacedEvent(order));
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        var refreshed = await refresh;
        await RemoveEventOrdersAsync(engine);
        await engine.Statistics.RefreshCustomersAsync(placedFor.Distinct().ToList(), now);
        var failures = logger.Invocations.Count(invocation => invocation.Method.Name == nameof(ILogger.ErrorAsync));
        if (failures > 0)
            _log($"  {failures} order events failed during the refresh in place (logged by the consumer)");
        times.Sort();

        return (refreshed, times);
    }

    /// <summary>
    /// The first number of the orders placed during the in-place refresh (see <see cref="RefreshWithOrderEventsAsync"/>),
    /// apart from those of section (3)
    /// </summary>
    private const int DuringRefreshEventNumbers = 10_000_000;

    private async Task RequirementAsync(EngineBench engine)
    {
        var bench = new RequirementBench(engine);
        var result = await bench.RunAsync(PluginSegments, _options.WarmChecks, _options.ColdChecks, _log);
        Report.AppendLine("### (4) The discount requirement check").AppendLine();
        Report.AppendLine("SegmentRequirementChecker.CheckAsync (what CustomerSegmentsPlugin.CheckRequirementAsync calls) with the plugin's real " +
                          "CustomerSegmentIdsReader, SegmentMembershipService, SegmentService and SegmentRequirementStore over this database. " +
                          "nopCommerce's services are small working stand-ins: an in-memory static cache, a new per-request cache per request, " +
                          "settings served from memory (as nopCommerce serves them from its static cache), and role checks as nopCommerce 4.90's " +
                          "CustomerService does them (the customer's role mappings read from the database once per request, roles from the static cache). " +
                          $"Requirement: in VIP or Frequent buyers and not in At risk (RFM); {result.Customers:N0} registered customers in turn " +
                          $"({result.Members:N0} of them members of an included segment; {result.Valid:N0} pass). One Stopwatch per check (nanosecond ticks; " +
                          "building the request's services is not timed), after 1,000 warm-up checks.").AppendLine();
        Report.AppendLine("| cache | checks | p50 | p99 | max | mean | gen-0 GCs during the checks |");
        Report.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        void Row(string name, Percentiles p) =>
            Report.AppendLine($"| {name} | {p.Count:N0} | **{Measure.Us(p.P50)}** | **{Measure.Us(p.P99)}** | {Measure.Us(p.Max)} | {Measure.Us(p.Mean)} | {p.Gen0Collections:N0} |");
        Row("warm, within one request (per-request and static caches filled)", result.WarmInRequest);
        Row("warm static cache, a new request per check (segments and role mappings read once per request)", result.WarmNewRequest);
        Row("cold: static cache cleared and a new request before each check", result.Cold);
        Report.AppendLine();
    }

    public double RebuildMilliseconds { get; private set; }

    /// <summary>
    /// The full rebuild through the plugin (RebuildAllSegmentsAsync) from empty memberships, the order statistics
    /// current, with the process's memory sampled
    /// </summary>
    private async Task<(double Milliseconds, MemorySampler Sampler)> EngineRebuildAsync(EngineBench engine, IReadOnlyList<DemoSegment> segments, DateTime now)
    {
        PluginSegments = await engine.CreateSegmentsAsync(segments, now);
        var sampler = new MemorySampler();
        var watch = Stopwatch.StartNew();
        try
        {
            var results = await engine.Rebuild.RebuildAllSegmentsAsync();
            if (results.Count != PluginSegments.Count)
                throw new InvalidOperationException($"The full rebuild rebuilt {results.Count} of {PluginSegments.Count} segments");
        }
        finally
        {
            sampler.Dispose();
        }

        RebuildMemory = sampler;
        return (watch.Elapsed.TotalMilliseconds, sampler);
    }

    private async Task<(HashSet<int> Ids, double Milliseconds)> TimeEngineAsync(EngineBench engine, DemoSegment segment, DateTime now)
    {
        HashSet<int> ids = null;
        var times = new List<double>();
        for (var run = 0; run <= _options.Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            ids = await engine.SelectAsync(segment, now);
            if (run > 0)
                times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return (ids, Measure.Median(times));
    }

    private async Task DescribeShopAsync(TestDatabase database)
    {
        async Task<long> Count(string sql) => Convert.ToInt64(await ScalarAsync<object>(database, sql));
        var customers = await Count("SELECT COUNT(*) FROM \"Customer\"");
        var orders = await Count("SELECT COUNT(*) FROM \"Order\"");
        var items = await Count("SELECT COUNT(*) FROM \"OrderItem\"");
        var buyers = await Count("SELECT COUNT(DISTINCT \"CustomerId\") FROM \"Order\"");
        var oneTime = await Count("SELECT COUNT(*) FROM (SELECT \"CustomerId\" FROM \"Order\" GROUP BY \"CustomerId\" HAVING COUNT(*) = 1) x");
        var top1 = await Count($"SELECT COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM \"Order\" GROUP BY \"CustomerId\" ORDER BY COUNT(*) DESC LIMIT {Math.Max(1, buyers / 100)}) x");
        var guests = await Count($"SELECT COUNT(*) FROM \"Customer_CustomerRole_Mapping\" WHERE \"CustomerRole_Id\" = {ShopModel.GuestsRoleId}");
        var carts = await Count("SELECT COUNT(DISTINCT \"CustomerId\") FROM \"ShoppingCartItem\"");
        var subscriptions = await Count("SELECT COUNT(*) FROM \"NewsLetterSubscription\"");
        Report.AppendLine($"Data: {customers:N0} customers ({guests:N0} guests, {customers - buyers:N0} without orders, {oneTime:N0} one-time buyers, " +
                          $"top 1% of buyers place {100.0 * top1 / Math.Max(1, orders):N0}% of orders), {orders:N0} orders, {items:N0} order items, " +
                          $"{_size.Products:N0} products in {_size.Categories} categories, {subscriptions:N0} newsletter subscriptions, {carts:N0} customers with carts.").AppendLine();
    }

    private async Task<(HashSet<int> Ids, double Milliseconds)> TimeSelectAsync(TestDatabase database, DemoSegment segment)
    {
        HashSet<int> ids = null;
        var times = new List<double>();
        for (var run = 0; run <= _options.Runs; run++)
        {
            await using var connection = database.CreateDataConnection();
            connection.CommandTimeout = 0;
            var watch = Stopwatch.StartNew();
            ids = (await connection.QueryToListAsync<int>(segment.Sql, segment.Parameters)).ToHashSet();
            if (run > 0)
                times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return (ids, Measure.Median(times));
    }

    private async Task<(double TotalMilliseconds, List<double> PerSegment)> HandRebuildAsync(TestDatabase database, IReadOnlyList<DemoSegment> segments, DateTime now)
    {
        var perSegment = new List<double>();
        var sampler = new MemorySampler();
        var total = Stopwatch.StartNew();
        try
        {
            await using var connection = database.CreateDataConnection();
            connection.CommandTimeout = 0;
            foreach (var segment in segments)
            {
                var watch = Stopwatch.StartNew();
                await using var transaction = await connection.BeginTransactionAsync();
                var segmentId = new DataParameter("segmentId", HandSegmentIdBase + segment.Number);
                await connection.ExecuteAsync("DELETE FROM \"CustomerSegmentMembership\" WHERE \"SegmentId\" = @segmentId", segmentId);
                await connection.ExecuteAsync(
                    "INSERT INTO \"CustomerSegmentMembership\" (\"SegmentId\", \"CustomerId\", \"EnteredOnUtc\") " +
                    $"SELECT @segmentId, q.\"Id\", @now FROM ({segment.Sql}) q",
                    segment.Parameters.Append(segmentId).Append(new DataParameter("now", now, DataType.DateTime2)).ToArray());
                await transaction.CommitAsync();
                perSegment.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            sampler.Dispose();
        }

        _log($"  hand-written rebuild: {Measure.Ms(total.Elapsed.TotalMilliseconds)}, peak working set {Measure.Mb(sampler.PeakWorkingSet)}");
        return (total.Elapsed.TotalMilliseconds, perSegment);
    }

    /// <summary>
    /// Orders the per-customer phase places (removed again afterwards, so the cached shop stays as generated)
    /// </summary>
    private const string EventOrderPrefix = "bench-event-";

    private async Task PerCustomerAsync(TestDatabase database, IReadOnlyList<DemoSegment> segments, EngineBench engine)
    {
        var events = _options.Events;
        var warmup = _options.EventWarmup;
        //customers that just ordered: every k-th buyer, so heavy and light buyers both appear; the warm-up's customers
        //are others, so that the measured customers' rows are not in the server's cache because of it
        await using var connection = database.CreateDataConnection();
        var buyers = await connection.QueryToListAsync<int>(
            "SELECT \"CustomerId\" FROM \"Order\" WHERE \"Id\" % @step = 0 ORDER BY \"Id\"",
            new DataParameter("step", Math.Max(1, (int)(_size.TargetOrders / ((events + warmup) * 2)))));
        var distinctBuyers = buyers.Distinct().ToList();
        var customers = distinctBuyers.Take(events).ToList();
        var warmupCustomers = distinctBuyers.Skip(events).Take(warmup).ToList();

        //the engine: a new paid order row for the customer, then the plugin's order event consumer (OrderPlacedEvent);
        //only the consumer is timed. The warm-up events run first: the process compiles most of the event's code again
        //(tiered JIT) during its first thousands of events, which a shop that has been running for a while has behind it
        await RemoveEventOrdersAsync(engine);
        var failures = 0;
        var logger = new Mock<ILogger>();
        logger.Setup(l => l.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), It.IsAny<Customer>()))
            .Callback((string message, Exception exception, Customer _) =>
            {
                if (failures++ == 0)
                    _log($"  order event failed: {message}: {exception}");
            })
            .Returns(Task.CompletedTask);
        var pendingCustomers = new SegmentPendingCustomerService(logger.Object, engine.Shop.Repository<SegmentPendingCustomer>(), engine.Reevaluation);
        var consumer = new OrderEventConsumer(engine.Settings, logger.Object, pendingCustomers, engine.Reevaluation, new ReevaluatedOrderTracker(new HttpContextAccessor()));
        var budget = TimeSpan.FromSeconds(_options.EngineEventSeconds);
        var number = 0;
        async Task<EventPhase> RunEventsAsync(IEnumerable<int> customerIds)
        {
            var times = new List<double>();
            var byCustomer = new Dictionary<int, double>();
            var (gcBefore, jitBefore, failuresBefore) = (GcFigures.Now(), JitFigures.Now(), failures);
            var cpu = new CpuFigures();
            //the pool's connections are open after the first events: their backends are found once per phase
            IReadOnlyList<string> server = null;
            var phase = Stopwatch.StartNew();
            foreach (var customerId in customerIds)
            {
                if (phase.Elapsed > budget)
                    break;

                var order = EventOrder(customerId, ++number);
                await engine.Shop.Repository<Order>().InsertAsync(order, false);
                await engine.Shop.Repository<OrderItem>().InsertAsync(EventOrderItems(order, number), false);
                server ??= times.Count == 10 ? CpuFigures.ServerProcesses() : null;
                var (serverBefore, clientBefore) = (CpuFigures.ServerNow(server ?? []), CpuFigures.ClientNow());
                var watch = Stopwatch.StartNew();
                await consumer.HandleEventAsync(new OrderPlacedEvent(order));
                times.Add(watch.Elapsed.TotalMilliseconds);
                byCustomer[customerId] = watch.Elapsed.TotalMilliseconds;
                if (server != null)
                    cpu += new CpuFigures(CpuFigures.ClientNow() - clientBefore, CpuFigures.ServerNow(server) - serverBefore, 1);
            }

            times.Sort();
            return new EventPhase(times, failures - failuresBefore, GcFigures.Now() - gcBefore, JitFigures.Now() - jitBefore, cpu) { ByCustomer = byCustomer };
        }

        var started = await RunEventsAsync(warmupCustomers);
        if (started.Times.Count > 0)
            _log($"  per-customer (engine, warm-up): {started.Describe()}");
        var measured = customers.Take(_options.EngineEvents).ToList();
        var (ordersBefore, membershipsBefore) = (await OrderCountsAsync(connection, measured), await MembershipRowsAsync(connection, measured));
        var steady = await RunEventsAsync(measured);
        var eventKinds = EventKinds(steady.ByCustomer, ordersBefore, membershipsBefore, await MembershipRowsAsync(connection, measured));
        var failuresBeforeCheckouts = failures;
        var checkouts = await CheckoutsAsync(engine, logger.Object, pendingCustomers, warmupCustomers.Take(2 * CheckoutCount).ToList(), () => ++number);
        var checkoutFailures = failures - failuresBeforeCheckouts;
        var guests = await connection.QueryToListAsync<int>(
            "SELECT m.\"Customer_Id\" FROM \"Customer_CustomerRole_Mapping\" m WHERE m.\"CustomerRole_Id\" = @guests ORDER BY m.\"Customer_Id\"",
            new DataParameter("guests", ShopModel.GuestsRoleId));
        var failuresBeforeUpdates = failures;
        var updated = warmupCustomers.Skip(2 * CheckoutCount).ToList();
        await CustomerUpdatesAsync(engine, logger.Object, pendingCustomers,
            updated.Skip(CustomerUpdateCount).Take(CustomerUpdateWarmup).Concat(guests.Skip(CustomerUpdateCount).Take(CustomerUpdateWarmup)).ToList());
        var customerUpdates = await CustomerUpdatesAsync(engine, logger.Object, pendingCustomers,
            updated.Take(CustomerUpdateCount).Concat(guests.Take(CustomerUpdateCount)).ToList());
        var customerUpdateFailures = failures - failuresBeforeUpdates;
        var failuresBeforeVisitors = failures;
        var visitors = await NewVisitorsAsync(engine, logger.Object, pendingCustomers, CustomerUpdateCount);
        var visitorFailures = failures - failuresBeforeVisitors;

        //hand-written: the segment queries restricted to the customer, RFM left to the scheduled rebuild
        //(a customer's RFM scores are ranks among all buyers: one customer cannot be scored without ranking everyone)
        var perCustomer = segments.Where(segment => !segment.RanksAllBuyers).ToList();
        foreach (var customerId in customers.Take(20))
            await EvaluateCustomerAsync(connection, perCustomer, customerId);

        var times = new List<double>();
        foreach (var customerId in customers)
        {
            var watch = Stopwatch.StartNew();
            await EvaluateCustomerAsync(connection, perCustomer, customerId);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        await RemoveEventOrdersAsync(engine);

        Report.AppendLine("### (3) Membership update for one customer after an order event").AppendLine();
        if (steady.Times.Count > 0)
        {
            var planned = Math.Min(customers.Count, _options.EngineEvents);
            Report.AppendLine($"Engine: a paid order row with two items inserted for the customer, then the plugin's OrderEventConsumer.HandleEventAsync(OrderPlacedEvent) " +
                              $"(refreshes the customer's order figures and re-evaluates and writes his memberships; the inserts are not timed), " +
                              $"over {steady.Times.Count:N0} events of {steady.Times.Count:N0} different customers after {started.Times.Count:N0} warm-up events of other customers" +
                              (steady.Times.Count < planned ? $" (stopped by the {_options.EngineEventSeconds:N0} s budget of the phase; {planned:N0} planned)" : "") +
                              $": p50 **{Measure.Ms(Measure.Percentile(steady.Times, 50))}**, p99 **{Measure.Ms(Measure.Percentile(steady.Times, 99))}**, max {Measure.Ms(steady.Times[^1])}" +
                              (steady.Failures > 0 ? $"; **{steady.Failures:N0} events failed** (logged by the consumer)" : "; no event failed") + $". {steady.Gc}. {steady.Jit}. " +
                              (database.Engine == DatabaseEngine.PostgreSql ? $"{steady.Cpu.PerEvent()}." : "")).AppendLine();
            if (started.Times.Count > 0)
                Report.AppendLine($"Just after the process started, the warm-up events (the same work for other customers, the first events of the process): " +
                                  $"p50 {Measure.Ms(Measure.Percentile(started.Times, 50))}, p99 {Measure.Ms(Measure.Percentile(started.Times, 99))} over {started.Times.Count:N0} events" +
                                  (started.Failures > 0 ? $", **{started.Failures:N0} failed**" : "") + $". {started.Jit}.").AppendLine();
            var kinds = string.Join("; ", eventKinds.Select(kind => $"{kind.Key} ({kind.Value.Count:N0}): p50 {Measure.Ms(Measure.Percentile(kind.Value, 50))}, " +
                                                                    $"p90 {Measure.Ms(Measure.Percentile(kind.Value, 90))}, p99 {Measure.Ms(Measure.Percentile(kind.Value, 99))}"));
            Report.AppendLine($"The same events by kind (a heavy buyer had more than {HeavyBuyerOrders} orders before the event; a membership changed when the " +
                              $"customer's stays, open or closed, were not the same after it): {kinds}.").AppendLine();
            _log($"  per-customer (engine): {steady.Describe()}");
            _log($"  per-customer (engine) by kind: {kinds}");
        }
        else
            Report.AppendLine("Engine: no event measured within the phase's budget.").AppendLine();

        if (checkouts.InRequest.Count > 0)
        {
            Report.AppendLine($"A paid checkout: the {CheckoutEvents} events nopCommerce 4.90 publishes when it places a captured order of two items " +
                              "(order inserted, updated with its number, two items inserted, placed, updated and status changed to processing, paid, updated), " +
                              $"all {CheckoutEvents} events' times summed per checkout, over {checkouts.InRequest.Count:N0} checkouts in a request each (the plugin skips the events of an order unchanged since the previous one) " +
                              $"and {checkouts.OutsideRequest.Count:N0} outside a request (every event re-evaluates), alternately, customers of the warm-up: " +
                              $"in a request p50 **{Measure.Ms(Measure.Percentile(checkouts.InRequest, 50))}**, p99 **{Measure.Ms(Measure.Percentile(checkouts.InRequest, 99))}**; " +
                              $"outside p50 {Measure.Ms(Measure.Percentile(checkouts.OutsideRequest, 50))}, p99 {Measure.Ms(Measure.Percentile(checkouts.OutsideRequest, 99))} " +
                              $"(in a request / outside at p50: {Measure.Percentile(checkouts.InRequest, 50) / Measure.Percentile(checkouts.OutsideRequest, 50):0.00})" +
                              (checkoutFailures > 0 ? $"; **{checkoutFailures:N0} events failed** (logged by the consumers)." : "; no event failed.")).AppendLine();
            _log($"  checkouts: in a request p50 {Measure.Ms(Measure.Percentile(checkouts.InRequest, 50))} p99 {Measure.Ms(Measure.Percentile(checkouts.InRequest, 99))}; " +
                 $"outside p50 {Measure.Ms(Measure.Percentile(checkouts.OutsideRequest, 50))} p99 {Measure.Ms(Measure.Percentile(checkouts.OutsideRequest, 99))}");
        }

        if (customerUpdates.Values.Any(times => times.Count > 0))
        {
            string figures(string kind) => customerUpdates[kind].Count == 0
                ? $"{kind}: none"
                : $"{kind} ({customerUpdates[kind].Count:N0}): p50 {Measure.Ms(Measure.Percentile(customerUpdates[kind], 50))}, p99 {Measure.Ms(Measure.Percentile(customerUpdates[kind], 99))}";
            var described = string.Join("; ", customerUpdates.Keys.Select(figures));
            Report.AppendLine("A customer updated: nopCommerce publishes `EntityUpdatedEvent<Customer>` when it saves a customer through `ICustomerService` " +
                              "(at login, when a checkout picks the billing or shipping address, when the cart empties or fills, when the customer edits his account; " +
                              "not for the last-activity date, saved without an event), the plugin's CustomerEventConsumer timed, outside a request, " +
                              $"after the updates of {CustomerUpdateWarmup} other customers and {CustomerUpdateWarmup} other guests: " +
                              described + (customerUpdateFailures > 0 ? $"; **{customerUpdateFailures:N0} events failed**." : "; no event failed.")).AppendLine();
            _log($"  customer updates: {described}");
        }

        if (visitors.Count > 0)
        {
            Report.AppendLine($"A new visitor: nopCommerce inserts a customer at a visitor's first request, then gives him the Guests role " +
                              $"(`InsertGuestCustomerAsync`); the plugin's consumers of both events timed together, over {visitors.Count:N0} visitors: " +
                              $"p50 {Measure.Ms(Measure.Percentile(visitors, 50))}, p99 {Measure.Ms(Measure.Percentile(visitors, 99))}" +
                              (visitorFailures > 0 ? $"; **{visitorFailures:N0} events failed**." : "; no event failed.")).AppendLine();
            _log($"  new visitors: p50 {Measure.Ms(Measure.Percentile(visitors, 50))} p99 {Measure.Ms(Measure.Percentile(visitors, 99))}");
        }

        Report.AppendLine($"Hand-written baseline: the {perCustomer.Count} non-RFM segment queries restricted to the customer (read only, no writes; RFM is left to the scheduled rebuild), " +
                          $"over {times.Count:N0} customers who ordered (one connection): p50 **{Measure.Ms(Measure.Percentile(times, 50))}**, p99 **{Measure.Ms(Measure.Percentile(times, 99))}**, " +
                          $"max {Measure.Ms(times[^1])}.").AppendLine();
        _log($"  per-customer (hand): p50 {Measure.Ms(Measure.Percentile(times, 50))} p99 {Measure.Ms(Measure.Percentile(times, 99))}");
    }

    private const int HeavyBuyerOrders = 100;

    /// <summary>
    /// Each customer's orders (not timed, read before the events)
    /// </summary>
    private static async Task<Dictionary<int, int>> OrderCountsAsync(DataConnection connection, IReadOnlyList<int> customerIds)
    {
        if (customerIds.Count == 0)
            return [];

        var rows = await connection.QueryToListAsync<CustomerCounts>(
            $"SELECT \"CustomerId\", COUNT(*) AS \"All\", 0 AS \"Closed\" FROM \"Order\" WHERE \"CustomerId\" IN ({string.Join(",", customerIds)}) GROUP BY \"CustomerId\"");
        return rows.ToDictionary(row => row.CustomerId, row => row.All);
    }

    /// <summary>
    /// Each customer's stays in the segments: all of them, and the closed ones (not timed)
    /// </summary>
    private static async Task<Dictionary<int, (int All, int Closed)>> MembershipRowsAsync(DataConnection connection, IReadOnlyList<int> customerIds)
    {
        if (customerIds.Count == 0)
            return [];

        var rows = await connection.QueryToListAsync<CustomerCounts>(
            $"SELECT \"CustomerId\", COUNT(*) AS \"All\", COUNT(\"LeftOnUtc\") AS \"Closed\" FROM \"CustomerSegmentMembership\" WHERE \"CustomerId\" IN ({string.Join(",", customerIds)}) GROUP BY \"CustomerId\"");
        return rows.ToDictionary(row => row.CustomerId, row => (row.All, row.Closed));
    }

    private sealed class CustomerCounts
    {
        public int CustomerId { get; set; }

        public int All { get; set; }

        public int Closed { get; set; }
    }

    /// <summary>
    /// The events' times (sorted) by whether the customer is a heavy buyer and whether a membership changed
    /// </summary>
    private static SortedDictionary<string, List<double>> EventKinds(IReadOnlyDictionary<int, double> byCustomer, IReadOnlyDictionary<int, int> orders,
        IReadOnlyDictionary<int, (int All, int Closed)> before, IReadOnlyDictionary<int, (int All, int Closed)> after)
    {
        var kinds = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var (customerId, milliseconds) in byCustomer)
        {
            var changed = before.GetValueOrDefault(customerId) != after.GetValueOrDefault(customerId);
            var heavy = orders.GetValueOrDefault(customerId) > HeavyBuyerOrders;
            var kind = $"{(heavy ? "heavy buyer" : "other buyer")}, {(changed ? "membership changed" : "no membership changed")}";
            if (!kinds.TryGetValue(kind, out var list))
                kinds[kind] = list = [];
            list.Add(milliseconds);
        }

        foreach (var list in kinds.Values)
            list.Sort();

        return kinds;
    }

    private const int CheckoutCount = 200;

    private const int CustomerUpdateCount = 300;

    /// <summary>
    /// Updates of other customers, and of other guests, before those timed: the first update of each kind builds its statements
    /// </summary>
    private const int CustomerUpdateWarmup = 100;

    /// <summary>
    /// An update event of each customer (the row as read, unchanged), timed by kind of customer: a member of some segment,
    /// an eligible customer in no segment (whom the event evaluates in every segment, as he may have just become
    /// eligible), a customer no segment can have (a guest)
    /// </summary>
    private static async Task<Dictionary<string, List<double>>> CustomerUpdatesAsync(EngineBench engine, ILogger logger,
        ISegmentPendingCustomerService pendingCustomers, IReadOnlyList<int> customerIds)
    {
        var consumer = new CustomerEventConsumer(logger, pendingCustomers, engine.Reevaluation, Mock.Of<ISegmentRebuildRunService>());
        var memberships = engine.Shop.Repository<SegmentMembership>().Table;
        var roleMappings = engine.Shop.Repository<CustomerCustomerRoleMapping>().Table;
        var times = new Dictionary<string, List<double>> { ["member of a segment"] = [], ["eligible, in no segment"] = [], ["guest"] = [] };
        foreach (var customerId in customerIds)
        {
            var customer = await engine.Shop.Repository<Customer>().Table.FirstOrDefaultAsync(c => c.Id == customerId);
            if (customer == null)
                continue;

            var kind = await memberships.AnyAsync(m => m.CustomerId == customerId && m.LeftOnUtc == null) ? "member of a segment"
                : await roleMappings.AnyAsync(m => m.CustomerId == customerId && m.CustomerRoleId == ShopModel.RegisteredRoleId) ? "eligible, in no segment"
                : "guest";
            var watch = Stopwatch.StartNew();
            await consumer.HandleEventAsync(new EntityUpdatedEvent<Customer>(customer));
            times[kind].Add(watch.Elapsed.TotalMilliseconds);
        }

        foreach (var list in times.Values)
            list.Sort();

        return times;
    }

    private const int CheckoutEvents = 11;

    /// <summary>
    /// Paid checkouts of the customers, every other one in a request of its own: the time of their events per checkout (sorted)
    /// </summary>
    private async Task<(List<double> InRequest, List<double> OutsideRequest)> CheckoutsAsync(EngineBench engine, ILogger logger,
        ISegmentPendingCustomerService pendingCustomers, IReadOnlyList<int> customerIds, Func<int> nextNumber)
    {
        var request = new HttpContextAccessor();
        var tracker = new ReevaluatedOrderTracker(request);
        var orders = new OrderEventConsumer(engine.Settings, logger, pendingCustomers, engine.Reevaluation, tracker);
        var items = new OrderItemEventConsumer(engine.Settings, logger, pendingCustomers, engine.Reevaluation, engine.Shop.Repository<Order>(), tracker);
        var (inRequest, outsideRequest) = (new List<double>(), new List<double>());
        for (var i = 0; i < customerIds.Count; i++)
        {
            request.HttpContext = i % 2 == 0 ? new DefaultHttpContext() : null;
            (i % 2 == 0 ? inRequest : outsideRequest).Add(await CheckoutAsync(engine, orders, items, customerIds[i], nextNumber()));
        }

        inRequest.Sort();
        outsideRequest.Sort();
        return (inRequest, outsideRequest);
    }

    /// <summary>
    /// The events of a paid checkout in the order nopCommerce 4.90's OrderProcessingService publishes them (a captured
    /// payment, shipping required): the summed time of the consumers; the writes of the order and its items are not timed
    /// </summary>
    private async Task<double> CheckoutAsync(EngineBench engine, OrderEventConsumer orders, OrderItemEventConsumer items, int customerId, int number)
    {
        var watch = new Stopwatch();
        async Task publishAsync(Func<Task> handleAsync)
        {
            watch.Start();
            await handleAsync();
            watch.Stop();
        }

        var orderRepository = engine.Shop.Repository<Order>();
        var order = EventOrder(customerId, number);
        order.OrderStatusId = (int)OrderStatus.Pending;
        await orderRepository.InsertAsync(order, false);
        await publishAsync(() => orders.HandleEventAsync(new EntityInsertedEvent<Order>(order)));

        order.CustomOrderNumber += "-checkout";
        await orderRepository.UpdateAsync(order, false);
        await publishAsync(() => orders.HandleEventAsync(new EntityUpdatedEvent<Order>(order)));

        foreach (var item in EventOrderItems(order, number))
        {
            await engine.Shop.Repository<OrderItem>().InsertAsync(item, false);
            await publishAsync(() => items.HandleEventAsync(new EntityInsertedEvent<OrderItem>(item)));
        }

        await publishAsync(() => orders.HandleEventAsync(new OrderPlacedEvent(order)));

        order.OrderStatusId = (int)OrderStatus.Processing;
        await orderRepository.UpdateAsync(order, false);
        await publishAsync(() => orders.HandleEventAsync(new EntityUpdatedEvent<Order>(order)));
        await publishAsync(() => orders.HandleEventAsync(new OrderStatusChangedEvent(order, OrderStatus.Pending)));
        await publishAsync(() => orders.HandleEventAsync(new OrderPaidEvent(order)));

        await orderRepository.UpdateAsync(order, false);
        await publishAsync(() => orders.HandleEventAsync(new EntityUpdatedEvent<Order>(order)));

        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Order events run one after the other: their times (sorted), how many failed, and the collections and compilations meanwhile
    /// </summary>
    private sealed record EventPhase(List<double> Times, int Failures, GcFigures Gc, JitFigures Jit, CpuFigures Cpu)
    {
        /// <summary>
        /// Each customer's event time
        /// </summary>
        public IReadOnlyDictionary<int, double> ByCustomer { get; init; } = new Dictionary<int, double>();

        public string Describe() =>
            $"{Times.Count} events p50 {Measure.Ms(Measure.Percentile(Times, 50))} p99 {Measure.Ms(Measure.Percentile(Times, 99))}, {Failures} failed; {Gc}; {Jit}; {Cpu.PerEvent()}";
    }

    private Order EventOrder(int customerId, int number) => new()
    {
        OrderGuid = Guid.NewGuid(),
        CustomOrderNumber = EventOrderPrefix + number,
        CustomerId = customerId,
        StoreId = ShopModel.StoreId,
        BillingAddressId = 0,
        OrderStatusId = 30,
        PaymentStatusId = 30,
        ShippingStatusId = 20,
        CustomerCurrencyCode = "USD",
        CurrencyRate = 1,
        CustomerLanguageId = 1,
        OrderSubtotalInclTax = 120,
        OrderSubtotalExclTax = 120,
        OrderTotal = 120,
        PaymentMethodSystemName = "Payments.CheckMoneyOrder",
        CustomerIp = "10.0.0.1",
        PaidDateUtc = DateTime.UtcNow,
        CreatedOnUtc = DateTime.UtcNow
    };

    /// <summary>
    /// The two items of an event order: products spread over the catalogue by the customer and the event's number
    /// </summary>
    private IList<OrderItem> EventOrderItems(Order order, int number)
    {
        var first = 1 + (int)((order.CustomerId * 7919L + number * 104729L) % _size.Products);
        return [EventOrderItem(order, first), EventOrderItem(order, first % _size.Products + 1)];
    }

    private static OrderItem EventOrderItem(Order order, int productId) => new()
    {
        OrderItemGuid = Guid.NewGuid(),
        OrderId = order.Id,
        ProductId = productId,
        Quantity = 1,
        UnitPriceInclTax = 60,
        UnitPriceExclTax = 60,
        PriceInclTax = 60,
        PriceExclTax = 60,
        OriginalProductCost = 36
    };

    /// <summary>
    /// New visitors as nopCommerce inserts them (the customer, then his Guests role), each event given to the plugin's
    /// customer consumer when it consumes the event's type, as nopCommerce's publisher does; the visitors are removed
    /// afterwards, with anything the plugin wrote of them
    /// </summary>
    private static async Task<List<double>> NewVisitorsAsync(EngineBench engine, ILogger logger, ISegmentPendingCustomerService pendingCustomers, int count)
    {
        var consumer = new CustomerEventConsumer(logger, pendingCustomers, engine.Reevaluation, Mock.Of<ISegmentRebuildRunService>());
        var (customers, roles) = (engine.Shop.Repository<Customer>(), engine.Shop.Repository<CustomerCustomerRoleMapping>());
        var times = new List<double>();
        var visitorIds = new List<int>();
        var watch = new Stopwatch();
        for (var i = 0; i < count; i++)
        {
            var visitor = new Customer { CustomerGuid = Guid.NewGuid(), Active = true, CreatedOnUtc = DateTime.UtcNow, LastActivityDateUtc = DateTime.UtcNow };
            await customers.InsertAsync(visitor, false);
            visitorIds.Add(visitor.Id);
            watch.Restart();
            if (consumer is IConsumer<EntityInsertedEvent<Customer>> insertConsumer)
                await insertConsumer.HandleEventAsync(new EntityInsertedEvent<Customer>(visitor));
            watch.Stop();

            var guest = new CustomerCustomerRoleMapping { CustomerId = visitor.Id, CustomerRoleId = ShopModel.GuestsRoleId };
            await roles.InsertAsync(guest, false);
            watch.Start();
            await consumer.HandleEventAsync(new EntityInsertedEvent<CustomerCustomerRoleMapping>(guest));
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        await engine.Shop.Repository<SegmentMembership>().DeleteAsync(row => visitorIds.Contains(row.CustomerId));
        await engine.Shop.Repository<SegmentPendingCustomer>().DeleteAsync(row => visitorIds.Contains(row.CustomerId));
        await roles.DeleteAsync(row => visitorIds.Contains(row.CustomerId));
        await customers.DeleteAsync(row => visitorIds.Contains(row.Id));
        times.Sort();

        return times;
    }

    private static async Task RemoveEventOrdersAsync(EngineBench engine)
    {
        var orders = engine.Shop.Repository<Order>();
        var orderIds = await orders.Table.Where(order => order.CustomOrderNumber.StartsWith(EventOrderPrefix)).Select(order => order.Id).ToListAsync();
        if (orderIds.Count == 0)
            return;

        await engine.Shop.Repository<OrderItem>().DeleteAsync(item => orderIds.Contains(item.OrderId));
        await orders.DeleteAsync(order => orderIds.Contains(order.Id));

        //a shop deletes few orders, autovacuum acting on a fifth of a table dead: the bench's thousands of deleted orders
        //of the same customers at every run would stay, and slow every later run's reads of those customers (not timed)
        if (engine.Shop.Database.Engine == DatabaseEngine.PostgreSql)
        {
            await using var connection = engine.Shop.Database.CreateDataConnection();
            connection.CommandTimeout = 0;
            foreach (var table in new[] { nameof(OrderItem), nameof(Order) })
                await connection.ExecuteAsync($"VACUUM ANALYZE \"{table}\"");
        }
    }

    private static async Task<int> EvaluateCustomerAsync(DataConnection connection, IReadOnlyList<DemoSegment> segments, int customerId)
    {
        var matched = 0;
        var customer = new DataParameter("customerId", customerId);
        foreach (var segment in segments)
            matched += (await connection.QueryToListAsync<int>(segment.SqlForCustomer, segment.Parameters.Append(customer).ToArray())).Count;
        return matched;
    }

    private static async Task<T> ScalarAsync<T>(TestDatabase database, string sql, params DataParameter[] parameters)
    {
        await using var connection = database.CreateDataConnection();
        connection.CommandTimeout = 0;
        return await connection.ExecuteAsync<T>(sql, parameters);
    }
}
