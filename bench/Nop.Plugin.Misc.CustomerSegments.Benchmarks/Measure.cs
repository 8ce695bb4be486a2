using System.Diagnostics;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

public static class Measure
{
    public static async Task<(T Result, TimeSpan Elapsed)> TimeAsync<T>(Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        var result = await action();
        return (result, watch.Elapsed);
    }

    /// <summary>
    /// Nearest-rank percentile of sorted values
    /// </summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return Percentile(sorted, 50);
    }

    public static string Ms(double milliseconds) => milliseconds >= 100 ? $"{milliseconds:N0} ms" : $"{milliseconds:0.0##} ms";

    public static string Us(double milliseconds) => milliseconds >= 1 ? Ms(milliseconds) : $"{milliseconds * 1000:N1} µs";

    public static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):N0} MB";
}

/// <summary>
/// Samples the process's working set and managed heap while a phase runs; reports the peaks and the bytes
/// the phase allocated
/// </summary>
public sealed class MemorySampler : IDisposable
{
    private readonly Thread _thread;
    private readonly long _allocatedAtStart;
    private volatile bool _stop;
    private long _samplerAllocated;

    public MemorySampler()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        StartWorkingSet = process.WorkingSet64;
        StartManaged = GC.GetTotalMemory(false);
        _allocatedAtStart = GC.GetTotalAllocatedBytes(false);
        PeakWorkingSet = StartWorkingSet;
        PeakManaged = StartManaged;
        _thread = new Thread(Run) { IsBackground = true, Name = "memory sampler" };
        _thread.Start();
    }

    public long StartWorkingSet { get; }
    public long StartManaged { get; }
    public long PeakWorkingSet { get; private set; }
    public long PeakManaged { get; private set; }
    public long Allocated { get; private set; }

    private void Run()
    {
        var allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        using var process = Process.GetCurrentProcess();
        while (!_stop)
        {
            Sample(process);
            Thread.Sleep(5);
        }

        //reading the working set allocates (it parses /proc): the sampler's own garbage is not the phase's
        _samplerAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart;
    }

    private void Sample(Process process)
    {
        process.Refresh();
        PeakWorkingSet = Math.Max(PeakWorkingSet, process.WorkingSet64);
        PeakManaged = Math.Max(PeakManaged, GC.GetTotalMemory(false));
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        using var process = Process.GetCurrentProcess();
        Sample(process);
        Allocated = GC.GetTotalAllocatedBytes(false) - _allocatedAtStart - _samplerAllocated;
    }
}
