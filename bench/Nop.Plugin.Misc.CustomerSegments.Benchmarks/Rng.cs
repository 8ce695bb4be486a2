namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// A small deterministic random generator (SplitMix64). Seeded per customer/order, so any row can be
/// regenerated on its own and the streams of orders and order items agree without holding either.
/// </summary>
public struct Rng
{
    private ulong _state;

    public Rng(long seed, long stream, long index = 0)
    {
        _state = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)stream * 0xBF58476D1CE4E5B9UL ^ (ulong)index * 0x94D049BB133111EBUL;
        Next();
    }

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>[0, 1)</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>[min, max)</summary>
    public int Next(int min, int max) => min + (int)(NextDouble() * (max - min));

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Pareto with scale 1 and the given shape: heavy tail, mean shape/(shape-1)</summary>
    public double Pareto(double shape) => Math.Pow(1 - NextDouble(), -1 / shape);

    public double LogNormal(double mu, double sigma)
    {
        var u1 = 1 - NextDouble();
        var u2 = NextDouble();
        return Math.Exp(mu + sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    public Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, Next());
        BitConverter.TryWriteBytes(bytes[8..], Next());
        return new Guid(bytes);
    }
}
