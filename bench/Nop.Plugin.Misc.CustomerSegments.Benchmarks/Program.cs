using System.Diagnostics;
using System.Text;
using Nop.Plugin.Misc.CustomerSegments.Benchmarks;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

//build/build.sh bench [options]: BenchOptions.Flags and BenchOptions.ValueOptions; an unknown option (or --help) prints them and runs nothing
if (BenchOptions.FirstUnknown(args) is { } unknown)
{
    var help = unknown is "--help" or "-h";
    (help ? Console.Out : Console.Error).WriteLine((help ? "" : $"bench: unknown option '{unknown}'{Environment.NewLine}") + BenchOptions.Usage);
    return help ? 0 : 2;
}

var options = BenchOptions.Parse(args);
var report = new StringBuilder();
void Log(string line) => Console.WriteLine(line);

Log($"bench: {options}");
var machine = MachineInfo.Describe();
report.AppendLine("# Benchmarks at shop scale").AppendLine();
var shown = args.Where((a, i) => a != "--out" && a != "--sqlite-dir" && (i == 0 || (args[i - 1] != "--out" && args[i - 1] != "--sqlite-dir")));
report.AppendLine($"Run `build/build.sh bench {string.Join(" ", shown)}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.").AppendLine();
report.AppendLine(machine).AppendLine();
var startLoad = MachineInfo.LoadAverage();
var runWatch = Stopwatch.StartNew();

if (options.GenerateOnly)
{
    //generate (or check) the cached PostgreSQL shops only: the full size first, then the memory sizes
    foreach (var customers in new[] { options.Customers }.Concat(options.MemorySizes).Distinct())
        await new BenchRun(DatabaseEngine.PostgreSql, new ShopSize(customers, options.Seed), options, Log) { GenerateOnly = true }.RunAsync();
    return 0;
}

var runs = new List<(DatabaseEngine Engine, int Customers)>();
if (options.PostgreSql)
{
    var reason = await TestDatabase.CheckServerAsync(DatabaseEngine.PostgreSql);
    if (reason == null)
        runs.Add((DatabaseEngine.PostgreSql, options.Customers));
    else
        Log($"bench: PostgreSQL skipped: {reason} ({DatabaseServerSettings.HowToStartServers})");
}

if (options.SqliteCustomers > 0)
    runs.Add((DatabaseEngine.Sqlite, options.SqliteCustomers));

var memory = new List<(DatabaseEngine Engine, int Customers, MemorySampler Sample, double Rebuild)>();
foreach (var (engine, customers) in runs)
{
    var run = new BenchRun(engine, new ShopSize(customers, options.Seed), options, Log);
    await run.RunAsync();
    report.Append(run.Report);
    if (run.RebuildMemory != null)
        memory.Add((engine, customers, run.RebuildMemory, run.RebuildMilliseconds));
}

//peak memory of the rebuild at the extra sizes (PostgreSQL); not measured when only the order events are
if (options.PostgreSql && !options.EventsOnly && !options.AdminOnly && runs.Any(r => r.Engine == DatabaseEngine.PostgreSql))
{
    foreach (var customers in options.MemorySizes.Where(s => s != options.Customers))
    {
        var run = new BenchRun(DatabaseEngine.PostgreSql, new ShopSize(customers, options.Seed), options, Log) { MemoryOnly = true };
        await run.RunAsync();
        if (run.RebuildMemory != null)
            memory.Add((DatabaseEngine.PostgreSql, customers, run.RebuildMemory, run.RebuildMilliseconds));
    }
}

if (!options.EventsOnly && !options.AdminOnly)
{
    report.AppendLine("## (5) Peak memory of the process during the full rebuild").AppendLine();
    report.AppendLine("Sampled every 5 ms during the plugin's full rebuild of the 10 segments (SegmentRebuildService.RebuildAllSegmentsAsync, from empty memberships, after a full GC; " +
                      "the order statistics current beforehand, so the rebuild does not refresh them and its time and memory include no statistics work); " +
                      "the process also holds the shop model (4 bytes per customer). At the main size the sampled rebuild is the process's first (with linq2db's first translations); " +
                      "the extra sizes run afterwards in the same process (warm), only the rebuild, each on that size's cached shop.").AppendLine();
    report.AppendLine("| engine | customers | full rebuild | working set at start | peak working set | peak managed heap | allocated during rebuild |");
    report.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
    foreach (var (engine, customers, sample, rebuild) in memory.OrderBy(m => m.Engine).ThenBy(m => m.Customers))
        report.AppendLine($"| {engine} | {customers:N0} | {Measure.Ms(rebuild)} | {Measure.Mb(sample.StartWorkingSet)} | {Measure.Mb(sample.PeakWorkingSet)} | {Measure.Mb(sample.PeakManaged)} | {Measure.Mb(sample.Allocated)} |");
    report.AppendLine();
}

report.AppendLine($"Run time {runWatch.Elapsed.TotalMinutes:N1} min. Load average of the machine (1 / 5 / 15 min) at the start {startLoad}, at the end {MachineInfo.LoadAverage()} " +
                  $"({Environment.ProcessorCount} cores shared with other work: timings include its interference).").AppendLine();

Console.WriteLine();
Console.WriteLine(report.ToString());
if (options.Output != null)
{
    await File.WriteAllTextAsync(options.Output, report.ToString());
    Log($"bench: results written to {options.Output}");
}

return 0;

public record BenchOptions(bool Quick, int Customers, int Seed, int SqliteCustomers, bool PostgreSql, int[] MemorySizes, string Output, bool Regenerate, string SqliteDirectory)
{
    /// <summary>Order events for the per-customer update (hand-written baseline)</summary>
    public int Events { get; init; } = 1000;

    /// <summary>Order events for the per-customer update through the plugin</summary>
    public int EngineEvents { get; init; } = 1000;

    /// <summary>Npgsql's Max Auto Prepare in the PostgreSQL connection string (0: none, as nopCommerce writes the connection string)</summary>
    public int MaxAutoPrepare { get; init; }

    /// <summary>Order events of other customers through the plugin before the measured ones (the process's JIT settles meanwhile)</summary>
    public int EventWarmup { get; init; } = 3000;

    /// <summary>Time budget of the per-customer phase through the plugin, and of its warm-up (the events measured are reported)</summary>
    public int EngineEventSeconds { get; init; } = 600;

    /// <summary>Requirement checks with a warm cache</summary>
    public int WarmChecks { get; init; } = 100_000;

    /// <summary>Requirement checks with a cold cache</summary>
    public int ColdChecks { get; init; } = 1_000;

    /// <summary>Timed runs of each segment query after one warm-up run (the median is reported)</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Only section (3), the per-customer update after order events (statistics and memberships made current first, not timed)</summary>
    public bool EventsOnly { get; init; }

    /// <summary>Only the full rebuild through the plugin: from empty memberships once, then <see cref="Runs"/> times over current memberships (logged, no report)</summary>
    public bool RebuildOnly { get; init; }

    /// <summary>Only the order figures: the full recompute, then the in-place refreshes of the scheduled rebuild (logged, no report)</summary>
    public bool StatisticsOnly { get; init; }

    /// <summary>Only the admin pages' operations (statistics and memberships made current first, not timed)</summary>
    public bool AdminOnly { get; init; }

    /// <summary>With <see cref="AdminOnly"/>: the plugin's tables as the previous run left them (no recompute, no rebuild), for back-to-back comparisons</summary>
    public bool ReuseMemberships { get; init; }

    /// <summary>Only generate the PostgreSQL shops (full size and memory sizes) into the cache, measure nothing</summary>
    public bool GenerateOnly { get; init; }

    /// <summary>
    /// The options a run takes: flags, and options followed by a value
    /// </summary>
    public static readonly IReadOnlySet<string> Flags = new HashSet<string>
    {
        "--quick", "--no-sqlite", "--no-postgresql", "--regenerate", "--generate-only", "--events-only", "--rebuild-only",
        "--statistics-only", "--admin-only", "--reuse-memberships"
    };

    public static readonly IReadOnlySet<string> ValueOptions = new HashSet<string>
    {
        "--customers", "--seed", "--sqlite-customers", "--memory-sizes", "--out", "--sqlite-dir", "--runs", "--event-seconds",
        "--warm-checks", "--cold-checks", "--events", "--pg-max-auto-prepare", "--event-warmup", "--engine-events"
    };

    public static string Usage =>
        "build/build.sh bench " + string.Join(" ", Flags.Order().Select(flag => $"[{flag}]")) + " " +
        string.Join(" ", ValueOptions.Order().Select(option => $"[{option} VALUE]")) +
        Environment.NewLine + "A run without options measures everything at 1,000,000 customers (about an hour); see README.md, Benchmarks.";

    /// <summary>
    /// The first argument that is no option of a run (a misspelt option, --help), or null: a run started by mistake
    /// would measure everything for an hour
    /// </summary>
    public static string FirstUnknown(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (ValueOptions.Contains(args[i]) && i + 1 < args.Length)
                i++;
            else if (!Flags.Contains(args[i]))
                return args[i];
        }

        return null;
    }

    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        //the last occurrence wins: build.sh passes its own --out and --sqlite-dir before the caller's options
        string Value(string name) => args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Length)
            .Select(x => args[x.i + 1]).LastOrDefault();
        var customers = int.TryParse(Value("--customers"), out var c) ? c : quick ? 50_000 : 1_000_000;
        var sqlite = args.Contains("--no-sqlite") ? 0 : int.TryParse(Value("--sqlite-customers"), out var s) ? s : Math.Min(customers, quick ? 10_000 : 50_000);
        var memorySizes = Value("--memory-sizes") is { } list
            ? list.Split(',').Select(int.Parse).ToArray()
            : quick ? [customers] : [100_000, customers];
        return new BenchOptions(quick, customers, int.TryParse(Value("--seed"), out var seed) ? seed : 20261123, sqlite,
            !args.Contains("--no-postgresql"), memorySizes, Value("--out"), args.Contains("--regenerate"),
            Value("--sqlite-dir") ?? Path.Combine(Path.GetTempPath(), "customersegments-bench"))
        {
            GenerateOnly = args.Contains("--generate-only"),
            EventsOnly = args.Contains("--events-only"),
            RebuildOnly = args.Contains("--rebuild-only"),
            StatisticsOnly = args.Contains("--statistics-only"),
            AdminOnly = args.Contains("--admin-only"),
            ReuseMemberships = args.Contains("--reuse-memberships"),
            Runs = int.TryParse(Value("--runs"), out var r) && r > 0 ? r : 3,
            EngineEventSeconds = int.TryParse(Value("--event-seconds"), out var es) ? es : quick ? 60 : 600,
            WarmChecks = int.TryParse(Value("--warm-checks"), out var wc) ? wc : 100_000,
            ColdChecks = int.TryParse(Value("--cold-checks"), out var cc) ? cc : 1_000,
            Events = int.TryParse(Value("--events"), out var e) ? e : 1000,
            MaxAutoPrepare = int.TryParse(Value("--pg-max-auto-prepare"), out var map) && map > 0 ? map : 0,
            EventWarmup = int.TryParse(Value("--event-warmup"), out var ew) && ew >= 0 ? ew : quick ? 1000 : 3000,
            EngineEvents = int.TryParse(Value("--engine-events"), out var ee) ? ee : int.TryParse(Value("--events"), out var e2) ? e2 : 1000
        };
    }

    public override string ToString() =>
        $"{Customers:N0} customers on PostgreSQL{(SqliteCustomers > 0 ? $", {SqliteCustomers:N0} on SQLite" : "")}, seed {Seed}, memory at {string.Join(" / ", MemorySizes.Select(m => m.ToString("N0")))}" +
        (MaxAutoPrepare > 0 ? $", Npgsql Max Auto Prepare {MaxAutoPrepare}" : "");
}

public static class MachineInfo
{
    /// <summary>
    /// The 1, 5 and 15 minute load averages (other processes on the machine share its cores)
    /// </summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static string Describe()
    {
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal"))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]
            : null;
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim()
            : null;
        var ram = long.TryParse(memory, out var kb) ? $"{kb / 1024.0 / 1024:N1} GB RAM" : "RAM unknown";
        return $"Machine: {Environment.ProcessorCount} cores ({cpu ?? "cpu unknown"}), {ram}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
               $".NET {Environment.Version}; database server versions in each section.";
    }
}
