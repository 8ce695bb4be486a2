using System.Collections.Generic;
using System.Linq.Expressions;
using System.Threading.Tasks;
using LinqToDB.Async;
using Nop.Core;

namespace System.Linq;

// The one place where the SDK runs code: nopCommerce's async query helpers are thin pass-throughs
// to linq2db, and the plugin's tests run its real queries through them on real databases.
public static class AsyncIQueryableExtensions
{
    public static Task<bool> AnyAsync<TSource>(this IQueryable<TSource> source, Expression<Func<TSource, bool>> predicate = null) =>
        predicate is null ? AsyncExtensions.AnyAsync(source) : AsyncExtensions.AnyAsync(source, predicate);

    public static Task<int> CountAsync<TSource>(this IQueryable<TSource> source, Expression<Func<TSource, bool>> predicate = null) =>
        predicate is null ? AsyncExtensions.CountAsync(source) : AsyncExtensions.CountAsync(source, predicate);

    public static Task<TSource> FirstOrDefaultAsync<TSource>(this IQueryable<TSource> source, Expression<Func<TSource, bool>> predicate = null) =>
        predicate is null ? AsyncExtensions.FirstOrDefaultAsync(source) : AsyncExtensions.FirstOrDefaultAsync(source, predicate);

    public static Task<List<TSource>> ToListAsync<TSource>(this IQueryable<TSource> source) =>
        AsyncExtensions.ToListAsync(source);

    public static Task<TSource[]> ToArrayAsync<TSource>(this IQueryable<TSource> source) =>
        AsyncExtensions.ToArrayAsync(source);

    public static Task<decimal> SumAsync<TSource>(this IQueryable<TSource> source, Expression<Func<TSource, decimal>> predicate) =>
        AsyncExtensions.SumAsync(source, predicate);

    public static Task<TResult> MaxAsync<TSource, TResult>(this IQueryable<TSource> source, Expression<Func<TSource, TResult>> predicate) =>
        AsyncExtensions.MaxAsync(source, predicate);

    public static Task<TResult> MinAsync<TSource, TResult>(this IQueryable<TSource> source, Expression<Func<TSource, TResult>> predicate) =>
        AsyncExtensions.MinAsync(source, predicate);

    public static async Task<IPagedList<T>> ToPagedListAsync<T>(this IQueryable<T> source, int pageIndex, int pageSize, bool getOnlyTotalCount = false)
    {
        if (source is null)
            return new PagedList<T>(new List<T>(), pageIndex, pageSize);

        pageSize = Math.Max(pageSize, 1);
        var count = await AsyncExtensions.CountAsync(source);
        var data = new List<T>();
        if (!getOnlyTotalCount)
            data.AddRange(await AsyncExtensions.ToListAsync(source.Skip(pageIndex * pageSize).Take(pageSize)));

        return new PagedList<T>(data, pageIndex, pageSize, count);
    }

    public static IAsyncEnumerable<T> ToAsyncEnumerable<T>(this IQueryable<T> source) =>
        AsyncExtensions.AsAsyncEnumerable(source);

    public static Task<decimal?> SumAsync<TSource>(this IQueryable<TSource> source, Expression<Func<TSource, decimal?>> predicate) =>
        AsyncExtensions.SumAsync(source, predicate);
}
