using System.Diagnostics;
using System.Text;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Localization;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Stores;
using Nop.Core.Domain.Vendors;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// What a store admin waits for in the back office: the services behind the plugin's admin pages, each timed
/// over the memberships a full rebuild wrote (median of the runs after one warm-up run, and the slowest run)
/// </summary>
public class AdminBench
{
    private const int GridPageSize = 15;
    private const int LookupPageSize = 20;
    private readonly EngineBench _engine;
    private readonly int _runs;
    private readonly Action<string> _log;
    private readonly List<(string Operation, string Result, double Median, double Max, string Memory)> _rows = [];

    public AdminBench(EngineBench engine, int runs, Action<string> log)
    {
        _engine = engine;
        _runs = Math.Max(1, runs);
        _log = log;
    }

    protected TestShop Shop => _engine.Shop;

    private async Task TimeAsync(string operation, Func<Task<string>> action)
    {
        var result = await action();
        var times = new List<double>();
        for (var run = 0; run < _runs; run++)
        {
            var watch = Stopwatch.StartNew();
            result = await action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        _rows.Add((operation, result, Measure.Median(times), times.Max(), ""));
        _log($"  admin: {operation}: median {Measure.Ms(Measure.Median(times))}, max {Measure.Ms(times.Max())} ({result})");
    }

    public async Task<string> RunAsync(IList<Segment> segments, IReadOnlyList<DemoSegment> demo, DateTime shopNowUtc)
    {
        var memberships = new SegmentMembershipService(Shop.Repository<Segment>(), Shop.Repository<SegmentMembership>());
        var segmentService = new SegmentService(Shop.Repository<Segment>(), Shop.Repository<SegmentMembership>(), Shop.Repository<LocalizedProperty>(),
            _engine.CacheInvalidator, _engine.Serializer, new SegmentRuleAnalyzer(new RuleFieldCatalog()), new Lazy<ISegmentRuleValidator>(() => _engine.Validator));
        var search = new SegmentMemberSearchService(Shop.Repository<Customer>(), Shop.Repository<SegmentMembership>());
        var csv = new SegmentMemberCsvService(Shop.Repository<Customer>(), Shop.Repository<SegmentMembership>());
        //the statistics are current (recomputed by this run, or as the run that recomputed them left them): the shop's saved
        //settings hold the key they were computed under
        var settings = new CustomerSegmentsSettings();
        settings.OrderStatisticsKey = CustomerOrderStatisticsService.SettingsKey(settings);
        var analytics = new SegmentAnalyticsService(settings, Shop.Repository<Customer>(), Shop.Repository<SegmentMembership>(),
            Shop.Repository<Order>(), Shop.Repository<CustomerRole>(), Shop.Repository<CustomerCustomerRoleMapping>(),
            Shop.Repository<CustomerOrderStatistics>(), Shop.Repository<CustomerDailyPurchases>(), new StoreTimeZoneDateTimeHelper());
        var preview = new SegmentPreviewService(_engine.QueryBuilder, _engine.Serializer, _engine.Validator);
        var lookups = new SegmentValueLookupService(Shop.Repository<Category>(), Shop.Repository<Country>(), Shop.Repository<CustomerAttributeValue>(),
            Shop.Repository<CustomerRole>(), Shop.Repository<Manufacturer>(), Shop.Repository<Product>(), Shop.Repository<Segment>(),
            Shop.Repository<StateProvince>(), Shop.Repository<Store>(), Shop.Repository<Vendor>(), Shop.Repository<Nop.Core.Domain.Affiliates.Affiliate>(), Shop.Repository<Nop.Core.Domain.Common.Address>(),
            Shop.Repository<CustomerAttribute>());

        var counts = new Dictionary<int, int>(await memberships.CountMembersOfAllSegmentsAsync());
        Segment Named(string name) => segments.Single(segment => segment.Name == name);
        var lapsed = Named("Lapsed");
        var frequent = Named("Frequent buyers");
        var small = segments.Where(segment => counts.GetValueOrDefault(segment.Id) > 0).MinBy(segment => counts[segment.Id]);
        string Size(Segment segment) => $"{segment.Name}, {counts.GetValueOrDefault(segment.Id):N0} members";

        //the segment list page and the segment edit page
        await TimeAsync("segment list: first page + member counts", async () =>
        {
            var page = await segmentService.SearchSegmentsAsync(null, 0, 0, GridPageSize);
            var all = await memberships.CountMembersOfAllSegmentsAsync();
            return $"{page.Count} segments, {all.Values.Sum():N0} memberships";
        });
        await TimeAsync($"segment edit page: member count + referencing segments ({Size(lapsed)})", async () =>
        {
            var count = await memberships.CountMembersAsync(lapsed.Id);
            var referencing = await segmentService.GetReferencingSegmentsAsync(lapsed.Id);
            return $"{count:N0}, {referencing.Count} referencing";
        });

        //the members grid
        foreach (var segment in new[] { lapsed, frequent })
        {
            var total = counts.GetValueOrDefault(segment.Id);
            await TimeAsync($"members grid, first page ({Size(segment)})", async () =>
                $"{(await search.SearchMembersAsync(segment.Id, null, 0, GridPageSize)).TotalCount:N0} found");
            await TimeAsync($"members grid, e-mail filter \"customer12\" ({segment.Name})", async () =>
                $"{(await search.SearchMembersAsync(segment.Id, "customer12", 0, GridPageSize)).TotalCount:N0} found");
            await TimeAsync($"members grid, e-mail filter \"nobody@nowhere\" ({segment.Name})", async () =>
                $"{(await search.SearchMembersAsync(segment.Id, "nobody@nowhere", 0, GridPageSize)).TotalCount:N0} found");
            var lastPage = Math.Max(0, (total - 1) / GridPageSize);
            await TimeAsync($"members grid, last page {lastPage + 1:N0} ({segment.Name})", async () =>
                $"{(await search.SearchMembersAsync(segment.Id, null, lastPage, GridPageSize)).Count} rows");
        }

        //the analytics of a segment
        var now = DateTime.UtcNow;
        foreach (var segment in new[] { lapsed, frequent, small })
        {
            await TimeAsync($"analytics: size over 90 days ({Size(segment)})", async () =>
                $"{(await analytics.GetSizeOverTimeAsync(segment.Id, now.AddDays(-90), now)).Count} points");
            await TimeAsync($"analytics: size over 365 days ({segment.Name})", async () =>
                $"{(await analytics.GetSizeOverTimeAsync(segment.Id, now.AddDays(-365), now)).Count} points");
            await TimeAsync($"analytics: revenue share, all time ({segment.Name})", async () =>
            {
                var share = await analytics.GetRevenueShareAsync(segment.Id, 0, null, null);
                return $"{share.MemberOrders:N0} of {share.ShopOrders:N0} orders";
            });
            await TimeAsync($"analytics: revenue share, last 30 days ({segment.Name})", async () =>
            {
                var share = await analytics.GetRevenueShareAsync(segment.Id, 0, shopNowUtc.AddDays(-30), null);
                return $"{share.MemberOrders:N0} of {share.ShopOrders:N0} orders";
            });
            //the same length with both edges inside a day: their orders read beside the days
            await TimeAsync($"analytics: revenue share, 30 days to 14:30 yesterday ({segment.Name})", async () =>
            {
                var share = await analytics.GetRevenueShareAsync(segment.Id, 0, shopNowUtc.AddDays(-31).AddHours(14.5), shopNowUtc.AddDays(-1).AddHours(14.5));
                return $"{share.MemberOrders:N0} of {share.ShopOrders:N0} orders";
            });
            await TimeAsync($"analytics: RFM grid ({segment.Name})", async () =>
                $"{(await analytics.GetRfmGridAsync(segment.Id, 0)).WithoutPurchases:N0} without purchases");
            foreach (var field in Enum.GetValues<SegmentHistogramField>())
            {
                await TimeAsync($"analytics: histogram {field} ({segment.Name})", async () =>
                    $"{(await analytics.GetHistogramAsync(segment.Id, 0, field, now, null)).Sum(bucket => bucket.Members):N0} counted");
            }

            await TimeAsync($"analytics: histogram TotalSpent, 30 buckets ({segment.Name})", async () =>
                $"{(await analytics.GetHistogramAsync(segment.Id, 0, SegmentHistogramField.TotalSpent, now, 30)).Sum(bucket => bucket.Members):N0} counted");
            await TimeAsync($"analytics: overlap ({segment.Name})", async () =>
                $"{(await analytics.GetOverlapAsync(segment.Id)).Count} segments");
        }

        //the rule builder's preview of each demo rule (count and first members)
        foreach (var rule in demo)
        {
            var json = _engine.Serializer.Serialize(rule.Rule);
            await TimeAsync($"rule preview: {rule.Name}", async () =>
            {
                var result = await preview.PreviewAsync(json, 0, 0, 10, CancellationToken.None);
                return $"{result.Count:N0}, {result.SampleCustomerIds.Count} shown";
            });
        }

        //the rule builder's value pickers
        await TimeAsync("value lookup: products, first page", async () => $"{(await lookups.SearchAsync(RuleValueSource.Products, null, 0, 0, LookupPageSize)).Items.Count} items");
        await TimeAsync("value lookup: products, search \"7\"", async () => $"{(await lookups.SearchAsync(RuleValueSource.Products, "7", 0, 0, LookupPageSize)).Items.Count} items");
        await TimeAsync("value lookup: products, search \"7\", page 50", async () => $"{(await lookups.SearchAsync(RuleValueSource.Products, "7", 0, 50, LookupPageSize)).Items.Count} items");
        await TimeAsync("value lookup: categories, search \"1\"", async () => $"{(await lookups.SearchAsync(RuleValueSource.Categories, "1", 0, 0, LookupPageSize)).Items.Count} items");
        await TimeAsync("value lookup: products by 20 ids", async () =>
            $"{(await lookups.GetByIdsAsync(RuleValueSource.Products, Enumerable.Range(1, 20).ToList())).Count} items");

        //the customer card of the customer edit page
        var member = (await search.SearchMembersAsync(frequent.Id, null, 0, 1)).Single().CustomerId;
        await TimeAsync("customer card (a member of Frequent buyers)", async () =>
        {
            var current = (await memberships.GetHistoryOfCustomerAsync(member)).Where(row => row.LeftOnUtc == null).ToList();
            var named = await segmentService.GetSegmentsByIdsAsync(current.Select(row => row.SegmentId).Distinct().ToList());
            return $"{named.Count} segments";
        });

        //the CSV export of the biggest segment, into a temporary file as the controller writes it
        var biggest = segments.MaxBy(segment => counts.GetValueOrDefault(segment.Id));
        await ExportAsync(csv, biggest, Size(biggest));

        var report = new StringBuilder();
        report.AppendLine("### Admin operations").AppendLine();
        report.AppendLine($"The services behind the plugin's admin pages over the memberships of a full rebuild (store 0, default settings). " +
                          $"{(_runs == 1 ? "One run" : $"Median of {_runs} runs")} after one warm-up run, and the slowest run.").AppendLine();
        report.AppendLine("| operation | result | median | max | memory |");
        report.AppendLine("|---|---|---:|---:|---|");
        foreach (var row in _rows)
            report.AppendLine($"| {row.Operation} | {row.Result} | {(row.Median >= 1000 ? $"**{Measure.Ms(row.Median)}**" : Measure.Ms(row.Median))} | {Measure.Ms(row.Max)} | {row.Memory} |");
        report.AppendLine();

        return report.ToString();
    }

    private async Task ExportAsync(SegmentMemberCsvService csv, Segment segment, string size)
    {
        var times = new List<double>();
        long bytes = 0;
        MemorySampler worst = null;
        for (var run = 0; run <= _runs; run++)
        {
            var path = Path.GetTempFileName();
            try
            {
                await using var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                    FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                var sampler = new MemorySampler();
                var watch = Stopwatch.StartNew();
                try
                {
                    await csv.ExportMembersAsync(segment, stream);
                }
                finally
                {
                    sampler.Dispose();
                }

                if (run > 0)
                    times.Add(watch.Elapsed.TotalMilliseconds);
                if (worst == null || sampler.PeakWorkingSet - sampler.StartWorkingSet > worst.PeakWorkingSet - worst.StartWorkingSet)
                    worst = sampler;
                bytes = stream.Length;
            }
            finally
            {
                File.Delete(path);
            }
        }

        var memory = $"working set {Measure.Mb(worst.StartWorkingSet)} → peak {Measure.Mb(worst.PeakWorkingSet)}, managed peak {Measure.Mb(worst.PeakManaged)}, allocated {Measure.Mb(worst.Allocated)}";
        _rows.Add(($"CSV export ({size})", $"{bytes / (1024.0 * 1024):N1} MB file", Measure.Median(times), times.Max(), memory));
        _log($"  admin: CSV export: median {Measure.Ms(Measure.Median(times))}, {memory}");
    }
}
