using System.Linq.Expressions;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The customer ids from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive), unbounded where null: the
/// unit of work of a full recompute of the order figures, so that no statement or transaction grows with the shop
/// </summary>
public record CustomerIdRange(int? From, int? To)
{
    /// <summary>
    /// Every customer
    /// </summary>
    public static CustomerIdRange All { get; } = new(null, null);

    /// <summary>
    /// Consecutive ranges of the given width that together hold every id: the first unbounded below, the last above
    /// (the ids of customers added meanwhile included)
    /// </summary>
    /// <param name="maxId">The largest id now</param>
    /// <param name="width">Ids per range</param>
    public static IList<CustomerIdRange> Covering(int maxId, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);

        var ranges = new List<CustomerIdRange>();
        int? from = null;
        for (var to = width; to <= maxId; to += width)
        {
            ranges.Add(new CustomerIdRange(from, to));
            from = to;
            if (to > int.MaxValue - width)
                break;
        }

        ranges.Add(new CustomerIdRange(from, null));
        return ranges;
    }

    /// <summary>
    /// The rows of the query whose customer id (read by <paramref name="customerId"/>) is in the range; the bounds are
    /// passed as parameters, so that every range of the same shape shares one statement
    /// </summary>
    public IQueryable<T> Of<T>(IQueryable<T> source, Expression<Func<T, int>> customerId)
    {
        Expression condition = null;
        if (From is { } from)
            condition = Expression.GreaterThanOrEqual(customerId.Body, Bound(from));
        if (To is { } to)
        {
            var below = Expression.LessThan(customerId.Body, Bound(to));
            condition = condition == null ? below : Expression.AndAlso(condition, below);
        }

        return condition == null ? source : source.Where(Expression.Lambda<Func<T, bool>>(condition, customerId.Parameters));
    }

    //a member of a captured object, as a closure's variable: linq2db sends it as a parameter rather than a literal
    private static MemberExpression Bound(int value) =>
        Expression.Property(Expression.Constant(new BoundValue(value)), nameof(BoundValue.Value));

    private sealed record BoundValue(int Value);
}
