namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// How big the synthetic shop is. Orders and items scale with customers (5 orders per customer, 2.4 items per
/// order on average, as 1,000,000 / 5,000,000 / 12,000,000 in the largest nopCommerce shops); the catalog does not.
/// </summary>
public record ShopSize(int Customers, int Seed = 20261123)
{
    public const int Version = 1;

    public long TargetOrders => Customers * 5L;

    public double ItemsPerOrder => 2.4;

    public int Products => 20_000;

    public int Categories => 200;

    public int Manufacturers => 50;

    public int Countries => 20;

    public string DatabaseName => $"csbench_v{Version}_{Customers}_{Seed}";

    public override string ToString() => $"{Customers:N0} customers (seed {Seed})";
}
