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

    [Test]
    public void ExceptWithAndIntersectWithKeepTheRightIdsAndCountThem()
    {
        var random = new Random(20261124);
        var left = Enumerable.Range(0, 3000).Select(_ => random.Next(1, 200_000)).Append(64).Append(199_999).ToHashSet();
        //the other sets reach further and less far than the first: the bitmaps differ in length
        var longer = Enumerable.Range(0, 3000).Select(_ => random.Next(1, 900_000)).Append(64).ToHashSet();
        var shorter = Enumerable.Range(0, 3000).Select(_ => random.Next(1, 5_000)).Append(64).ToHashSet();
        CustomerIdSet set(IEnumerable<int> ids)
        {
            var result = new CustomerIdSet();
            foreach (var id in ids)
                result.Add(id);
            return result;
        }

        foreach (var other in new[] { longer, shorter, [], left })
        {
            var except = set(left);
            except.ExceptWith(set(other));
            var intersect = set(left);
            intersect.IntersectWith(set(other));

            Assert.That(except.ToList(), Is.EqualTo(left.Except(other).Order().ToList()));
            Assert.That(except.Count, Is.EqualTo(left.Except(other).Count()));
            Assert.That(intersect.ToList(), Is.EqualTo(left.Intersect(other).Order().ToList()));
            Assert.That(intersect.Count, Is.EqualTo(left.Intersect(other).Count()));
            Assert.That(intersect.Add(left.First()), Is.EqualTo(!other.Contains(left.First())), "the set goes on after the operation");
        }

        var empty = new CustomerIdSet();
        empty.IntersectWith(set(left));
        empty.ExceptWith(set(left));
        Assert.That(empty, Is.Empty);
        Assert.That(empty.Count, Is.Zero);
    }
}
