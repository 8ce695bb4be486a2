using System.Collections.Generic;

namespace Nop.Core;

public interface IPagedList<T> : IList<T>
{
    int PageIndex { get; }
    int PageSize { get; }
    int TotalCount { get; }
    int TotalPages { get; }
    bool HasPreviousPage { get; }
    bool HasNextPage { get; }
}

public class PagedList<T> : List<T>, IPagedList<T>
{
    public PagedList(IList<T> source, int pageIndex, int pageSize, int? totalCount = null)
    {
        pageSize = System.Math.Max(pageSize, 1);
        TotalCount = totalCount ?? source.Count;
        TotalPages = TotalCount / pageSize + (TotalCount % pageSize > 0 ? 1 : 0);
        PageSize = pageSize;
        PageIndex = pageIndex;
        AddRange(totalCount != null ? source : System.Linq.Enumerable.Take(System.Linq.Enumerable.Skip(source, pageIndex * pageSize), pageSize));
    }

    public int PageIndex { get; }
    public int PageSize { get; }
    public int TotalCount { get; }
    public int TotalPages { get; }
    public bool HasPreviousPage => PageIndex > 0;
    public bool HasNextPage => PageIndex + 1 < TotalPages;
}
