using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Statistics;

/// <summary>
/// The ranges of customer ids a full recompute goes through
/// </summary>
public class CustomerIdRangeTests
{
    [TestCase(0, 10, "(,)")]
    [TestCase(9, 10, "(,)")]
    [TestCase(10, 10, "(,10) [10,)")]
    [TestCase(25, 10, "(,10) [10,20) [20,)")]
    [TestCase(30, 10, "(,10) [10,20) [20,30) [30,)")]
    [TestCase(int.MaxValue, 1_000_000_000, "(,1000000000) [1000000000,2000000000) [2000000000,)")]
    public void TheRangesFollowOneAnotherAndHoldEveryId(int maxId, int width, string expected)
    {
        var ranges = CustomerIdRange.Covering(maxId, width);

        Assert.That(string.Join(" ", ranges.Select(range => $"{(range.From is { } from ? $"[{from}" : "(")},{range.To})")), Is.EqualTo(expected));
    }

    [Test]
    public void AWidthBelowOneIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CustomerIdRange.Covering(100, 0));
    }
}
