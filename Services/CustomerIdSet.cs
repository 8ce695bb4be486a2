using System.Collections;
using System.Numerics;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// A set of customer ids held as a bitmap: one bit per id up to the largest id added (125 KB for ids up to a
/// million), so that a full rebuild compares whole segments in memory at a fixed, small cost. Ids below 1 are no
/// customers and are never in the set. Enumerates in ascending order.
/// </summary>
public class CustomerIdSet : IEnumerable<int>
{
    private ulong[] _words = [];

    /// <summary>
    /// How many ids the set holds
    /// </summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds the id
    /// </summary>
    /// <returns>Whether it was not in the set yet</returns>
    public bool Add(int id)
    {
        if (id < 1)
            return false;

        var word = id >> 6;
        if (word >= _words.Length)
            Array.Resize(ref _words, Math.Max(word + 1, Math.Min(_words.Length * 2, (int.MaxValue >> 6) + 1)));

        var bit = 1UL << (id & 63);
        if ((_words[word] & bit) != 0)
            return false;

        _words[word] |= bit;
        Count++;
        return true;
    }

    public bool Contains(int id)
    {
        var word = id >> 6;
        return id > 0 && word < _words.Length && (_words[word] & (1UL << (id & 63))) != 0;
    }

    /// <summary>
    /// Removes the ids that are in the other set
    /// </summary>
    public void ExceptWith(CustomerIdSet other)
    {
        ArgumentNullException.ThrowIfNull(other);

        for (var word = 0; word < Math.Min(_words.Length, other._words.Length); word++)
            _words[word] &= ~other._words[word];
        Recount();
    }

    /// <summary>
    /// Keeps only the ids that are in the other set too
    /// </summary>
    public void IntersectWith(CustomerIdSet other)
    {
        ArgumentNullException.ThrowIfNull(other);

        for (var word = 0; word < _words.Length; word++)
            _words[word] &= word < other._words.Length ? other._words[word] : 0;
        Recount();
    }

    private void Recount()
    {
        var count = 0;
        foreach (var word in _words)
            count += BitOperations.PopCount(word);
        Count = count;
    }

    public IEnumerator<int> GetEnumerator()
    {
        for (var word = 0; word < _words.Length; word++)
        {
            for (var bits = _words[word]; bits != 0; bits &= bits - 1)
                yield return (word << 6) + BitOperations.TrailingZeroCount(bits);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
