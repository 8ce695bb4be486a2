using System.Diagnostics;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// Processor time of this process and of the local PostgreSQL server's processes (read from /proc, so Linux only;
/// zero elsewhere), so that a phase can tell whether its time goes to the client, to the server or to waiting
/// </summary>
public readonly record struct CpuFigures(TimeSpan Client, TimeSpan Server, int Events)
{
    private static readonly double TicksPerSecond = 100;

    public static TimeSpan ClientNow() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>
    /// The processes named postgres now (the server and its backends; a pooled connection keeps its backend)
    /// </summary>
    public static IReadOnlyList<string> ServerProcesses() =>
        !Directory.Exists("/proc") ? [] : Directory.EnumerateDirectories("/proc")
            .Select(directory => Path.Combine(directory, "stat"))
            .Where(stat => TryRead(stat) is { } text && text.Contains("(postgres)"))
            .ToList();

    /// <summary>
    /// The user and system time of the processes (clock ticks of 10 ms each: summed over many events the average is right)
    /// </summary>
    public static TimeSpan ServerNow(IReadOnlyList<string> processes)
    {
        long ticks = 0;
        foreach (var stat in processes)
        {
            //after the name: the state is field 3; utime and stime are fields 14 and 15
            var text = TryRead(stat);
            var fields = text?[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (fields is { Length: > 12 })
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            //a process that ended meanwhile
            return null;
        }
    }

    public static CpuFigures operator +(CpuFigures left, CpuFigures right) => new(left.Client + right.Client, left.Server + right.Server, left.Events + right.Events);

    public string PerEvent() => Events == 0 ? "" :
        $"Processor time per event (over its last {Events:N0}): this process {Measure.Ms(Client.TotalMilliseconds / Events)}, the PostgreSQL server's processes {Measure.Ms(Server.TotalMilliseconds / Events)}";
}
