using System.Diagnostics;
using System.Text;
using LinqToDB;
using LinqToDB.Data;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// All measurements on one engine at one size: the shop (generated or reused), the hand-written baselines,
/// and the plugin's engine where it is available
/// </summary>
public class BenchRun
{
    public const string EngineStatus =
        "(4) The discount requirement check (warm/cold cache) is not in this run: the `discount` branch was not merged into " +
        "`bench` in time.";

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

    public StringBuilder Report { get; } = new();

    public MemorySampler RebuildMemory { get; private set; }

    public async Task RunAsync()
    {
        _log($"bench: {_engine}, {_size}");
        var (database, existed) = await TestDatabase.OpenOrCreateNamedAsync(_engine, _size.DatabaseName, _options.SqliteDirectory);
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
        string generation;
        if (anchor == null)
        {
            if (existed)
            {
                _log("bench: the cached shop is incomplete or stale: regenerating");
                await database.DropAsync();
                (database, _) = await TestDatabase.OpenOrCreateNamedAsync(_engine, _size.DatabaseName, _options.SqliteDirectory);
            }

            var watch = Stopwatch.StartNew();
            var model = new ShopModel(_size, DateTime.UtcNow.Date);
            _log($"bench: generating {_size} ({model.TotalOrders:N0} orders) into {database}");
            new ShopGenerator(database, model, _log).Generate();
            generation = $"generated in {watch.Elapsed.TotalSeconds:N0} s (not counted)";
            anchor = model.AnchorUtc;
        }
        else
            generation = $"reused from the cache (database `{_size.DatabaseName}`, generated for {anchor:yyyy-MM-dd})";

        _log($"bench: shop {generation}");
        var now = anchor.Value;
        var segments = HandWrittenSegments.Create(now, _engine == DatabaseEngine.Sqlite);

        if (MemoryOnly)
        {
            var (times, sample) = await EngineRebuildAsync(new EngineBench(database), segments, now);
            _log($"  engine rebuild: {Measure.Ms(times.Sum())}, peak working set {Measure.Mb(sample.PeakWorkingSet)}");
            return;
        }

        var version = await ScalarAsync<string>(database, _engine == DatabaseEngine.PostgreSql ? "SHOW server_version" : "SELECT sqlite_version()");
        Report.AppendLine($"## {_engine} {version.Split(' ')[0]}: {_size.Customers:N0} customers").AppendLine();
        Report.AppendLine($"Shop {generation}. \"Now\" of the shop: {now:yyyy-MM-dd}.").AppendLine();
        await DescribeShopAsync(database);

        //(2) the hand-written baselines
        var engine = new EngineBench(database);
        var statisticsMs = await engine.RefreshStatisticsAsync(now);
        _log($"  engine order statistics refresh: {Measure.Ms(statisticsMs)}");
        Report.AppendLine($"The plugin's order statistics were refreshed first (CustomerOrderStatisticsService.RefreshAllAsync): **{Measure.Ms(statisticsMs)}**.").AppendLine();
        Report.AppendLine("### (2) Segments: the engine's query against hand-written SQL").AppendLine();
        Report.AppendLine("Median of 3 runs after one warm-up; each query reads the ids of the matching customers. " +
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

        //(1) full rebuild through the plugin
        var (perSegment, sampler) = await EngineRebuildAsync(engine, segments, now);
        Report.AppendLine("### (1) Full rebuild of the 10 segments through the plugin").AppendLine();
        Report.AppendLine("SegmentRebuildService.RebuildSegmentAsync for each segment, from empty memberships (set-based: UPDATE leavers, INSERT ... SELECT newcomers).").AppendLine();
        Report.AppendLine("| # | segment | rebuild |");
        Report.AppendLine("|---:|---|---:|");
        for (var i = 0; i < segments.Count; i++)
            Report.AppendLine($"| {segments[i].Number} | {segments[i].Name} | {Measure.Ms(perSegment[i])} |");
        Report.AppendLine($"| | **total** | **{Measure.Ms(perSegment.Sum())}** |").AppendLine();
        _log($"  engine rebuild: {Measure.Ms(perSegment.Sum())}, peak working set {Measure.Mb(sampler.PeakWorkingSet)}");

        //(3) per-customer
        await PerCustomerAsync(database, segments, engine);
    }

    private async Task<(List<double> PerSegment, MemorySampler Sampler)> EngineRebuildAsync(EngineBench engine, IReadOnlyList<DemoSegment> segments, DateTime now)
    {
        var pluginSegments = await engine.CreateSegmentsAsync(segments, now);
        var perSegment = new List<double>();
        var sampler = new MemorySampler();
        try
        {
            foreach (var segment in pluginSegments)
            {
                var watch = Stopwatch.StartNew();
                await engine.Rebuild.RebuildSegmentAsync(segment);
                perSegment.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            sampler.Dispose();
        }

        RebuildMemory = sampler;
        return (perSegment, sampler);
    }

    private static async Task<(HashSet<int> Ids, double Milliseconds)> TimeEngineAsync(EngineBench engine, DemoSegment segment, DateTime now)
    {
        HashSet<int> ids = null;
        var times = new List<double>();
        for (var run = 0; run < 4; run++)
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
        for (var run = 0; run < 4; run++)
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

    private async Task PerCustomerAsync(TestDatabase database, IReadOnlyList<DemoSegment> segments, EngineBench engine)
    {
        var events = _options.Events;
        //customers that just ordered: every k-th buyer, so heavy and light buyers both appear
        await using var connection = database.CreateDataConnection();
        var buyers = await connection.QueryToListAsync<int>(
            "SELECT \"CustomerId\" FROM \"Order\" WHERE \"Id\" % @step = 0 ORDER BY \"Id\"",
            new DataParameter("step", Math.Max(1, (int)(_size.TargetOrders / (events * 2)))));
        var customers = buyers.Take(events).ToList();

        //warm-up
        foreach (var customerId in customers.Take(20))
            await EvaluateCustomerAsync(connection, segments, customerId);

        var times = new List<double>();
        foreach (var customerId in customers)
        {
            var watch = Stopwatch.StartNew();
            await EvaluateCustomerAsync(connection, segments, customerId);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        var engineTimes = new List<double>();
        foreach (var customerId in customers.Take(5))
            await engine.Rebuild.ReevaluateCustomersAsync([customerId], Services.Rules.RuleDataSources.Orders);
        foreach (var customerId in customers.Take(_options.EngineEvents))
        {
            var watch = Stopwatch.StartNew();
            await engine.Rebuild.ReevaluateCustomersAsync([customerId], Services.Rules.RuleDataSources.Orders);
            engineTimes.Add(watch.Elapsed.TotalMilliseconds);
        }

        engineTimes.Sort();
        Report.AppendLine("### (3) Membership update for one customer after an order event").AppendLine();
        Report.AppendLine($"Engine: SegmentRebuildService.ReevaluateCustomersAsync([customer], Orders) (what the order event consumer calls), over {engineTimes.Count:N0} customers who ordered: " +
                          $"p50 **{Measure.Ms(Measure.Percentile(engineTimes, 50))}**, p99 **{Measure.Ms(Measure.Percentile(engineTimes, 99))}**, max {Measure.Ms(engineTimes[^1])}.").AppendLine();
        _log($"  per-customer (engine): p50 {Measure.Ms(Measure.Percentile(engineTimes, 50))} p99 {Measure.Ms(Measure.Percentile(engineTimes, 99))}");
        Report.AppendLine($"Hand-written baseline: the 10 segment queries restricted to the customer, over {times.Count:N0} customers who ordered " +
                          $"(one connection): p50 **{Measure.Ms(Measure.Percentile(times, 50))}**, p99 **{Measure.Ms(Measure.Percentile(times, 99))}**, " +
                          $"max {Measure.Ms(times[^1])}.").AppendLine();
        _log($"  per-customer (hand): p50 {Measure.Ms(Measure.Percentile(times, 50))} p99 {Measure.Ms(Measure.Percentile(times, 99))}");
    }

    private static async Task<int> EvaluateCustomerAsync(DataConnection connection, IReadOnlyList<DemoSegment> segments, int customerId)
    {
        var matched = 0;
        var customer = new DataParameter("customerId", customerId);
        foreach (var segment in segments)
            matched += (await connection.QueryToListAsync<int>(segment.SqlForCustomer, segment.Parameters.Append(customer).ToArray())).Count;
        return matched;
    }

    private static async Task<T> ScalarAsync<T>(TestDatabase database, string sql)
    {
        await using var connection = database.CreateDataConnection();
        connection.CommandTimeout = 0;
        return await connection.ExecuteAsync<T>(sql);
    }
}
