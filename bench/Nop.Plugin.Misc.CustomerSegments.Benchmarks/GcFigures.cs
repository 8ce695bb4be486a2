namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// The garbage collector's counts and pause time of the process, so that a phase can report what it cost in collections
/// </summary>
public readonly record struct GcFigures(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated)
{
    public static GcFigures Now() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

    public static GcFigures operator -(GcFigures after, GcFigures before) =>
        new(after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2, after.Paused - before.Paused, after.Allocated - before.Allocated);

    public override string ToString() =>
        $"Garbage collections during the phase: {Gen0:N0} gen0, {Gen1:N0} gen1, {Gen2:N0} gen2, paused {Measure.Ms(Paused.TotalMilliseconds)}, {Measure.Mb(Allocated)} allocated";
}
