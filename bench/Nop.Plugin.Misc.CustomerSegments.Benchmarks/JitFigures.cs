using System.Runtime;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// The JIT's work in the process (methods compiled, also again at a higher tier, and the time it took), so that a
/// phase can tell whether it ran on code still being compiled
/// </summary>
public readonly record struct JitFigures(long Methods, TimeSpan Time)
{
    public static JitFigures Now() => new(JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());

    public static JitFigures operator -(JitFigures after, JitFigures before) => new(after.Methods - before.Methods, after.Time - before.Time);

    public override string ToString() => $"The JIT compiled {Methods:N0} methods during the phase ({Measure.Ms(Time.TotalMilliseconds)})";
}
