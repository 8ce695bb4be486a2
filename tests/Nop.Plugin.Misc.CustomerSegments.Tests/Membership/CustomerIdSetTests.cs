using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

public class CustomerIdSetTests
{
    [Test]
    public void HoldsEachIdOnceAndEnumeratesInAscendingOrder()
    {
        var set = new CustomerIdSet();
        var random = new Random(20261123);
        var ids = Enumerable.Range(0, 5000).Select(_ => random.Next(1, 3_000_000)).Append(1).Append(63).Append(64).Append(10_000_000).ToList();

        var added = ids.Count(set.Add);

        var distinct = ids.Distinct().Order().ToList();
        Assert.That(added, Is.EqualTo(distinct.Count));
        Assert.That(set.Count, Is.EqualTo(distinct.Count));
        Assert.That(set.ToList(), Is.EqualTo(distinct));
        Assert.That(distinct.All(set.Contains), Is.True);
        Assert.That(set.Add(ids[0]), Is.False, "already in the set");
        Assert.That(Enumerable.Range(0, 1000).Select(_ => random.Next(1, 3_000_000)).Where(id => !distinct.Contains(id)).Any(set.Contains), Is.False);
    }

    [Test]
    public void IdsBelowOneAreNoCustomers()
    {
        var set = new CustomerIdSet();

        Assert.That(set.Add(0), Is.False);
        Assert.That(set.Add(-5), Is.False);
        Assert.That(set.Contains(0) || set.Contains(-5) || set.Contains(1), Is.False);
        Assert.That(set, Is.Empty);
        Assert.That(set.Count, Is.Zero);
    }
}
