namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The values a rule condition can pick from (countries, products, roles ...), searched and paged in the database
/// </summary>
public interface ISegmentValueLookupService
{
    /// <summary>
    /// One page of the values of a source whose name contains the search text
    /// </summary>
    /// <param name="source">A <see cref="Rules.RuleValueSource"/></param>
    /// <param name="search">Part of the name (empty for all)</param>
    /// <param name="parentId">For states: the country (0 for all); for customer attribute values: the attribute (0: none
    /// is searched)</param>
    /// <param name="pageIndex">Zero-based page</param>
    /// <param name="pageSize">Items per page</param>
    Task<ValueLookupPage> SearchAsync(Rules.RuleValueSource source, string search, int parentId, int pageIndex, int pageSize);

    /// <summary>
    /// The names of known values, so that a saved rule shows names rather than ids
    /// </summary>
    Task<IList<ValueLookupItem>> GetByIdsAsync(Rules.RuleValueSource source, IList<int> ids);

    /// <summary>
    /// The names of the values a saved rule names, soft-deleted rows included (<see cref="ValueLookupItem.Deleted"/>),
    /// so that the rule builder shows a discontinued product by its name
    /// </summary>
    Task<IList<ValueLookupItem>> GetNamesAsync(Rules.RuleValueSource source, IList<int> ids);

    /// <summary>
    /// Which of the ids name a row of the source's table, soft-deleted rows included (a rule may target the buyers of a
    /// discontinued product); for a source that is not a table of ids, none
    /// </summary>
    /// <param name="source">A <see cref="Rules.RuleValueSource"/></param>
    /// <param name="ids">The ids, as many as the conditions of a rule name</param>
    Task<IReadOnlySet<int>> GetExistingIdsAsync(Rules.RuleValueSource source, IList<int> ids);
}

/// <param name="Deleted">Whether the row is soft-deleted (nopCommerce keeps deleted products, categories, stores... as rows)</param>
public record ValueLookupItem(int Id, string Name, bool Deleted = false);

public record ValueLookupPage(IList<ValueLookupItem> Items, bool HasMore);
