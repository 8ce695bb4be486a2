namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Turns a valid rule into a set-based database query
/// </summary>
public interface ISegmentRuleQueryBuilder
{
    /// <summary>
    /// Identifiers of the eligible customers (not deleted, not system accounts, guests only when the settings
    /// allow) who match the rule, as a query the database runs; filter it with a list of ids to evaluate a few
    /// customers, the same code path as a full rebuild
    /// </summary>
    /// <param name="rule">A rule that passed validation</param>
    /// <param name="storeId">The segment's store (0 for all)</param>
    /// <param name="nowUtc">The moment relative dates are measured from</param>
    Task<IQueryable<int>> BuildMatchingCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc);

    /// <summary>
    /// Identifiers of the customers who match the rule's conditions, without the eligibility that
    /// <see cref="BuildMatchingCustomerIdsQueryAsync"/> applies: to test a few customers against several rules in one
    /// statement, with the eligibility (the same for every rule) tested once, as the query of an empty rule
    /// </summary>
    /// <param name="rule">A rule that passed validation</param>
    /// <param name="storeId">The segment's store (0 for all)</param>
    /// <param name="nowUtc">The moment relative dates are measured from</param>
    Task<IQueryable<int>> BuildConditionsCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc);

    /// <summary>
    /// The eligibility of <see cref="BuildMatchingCustomerIdsQueryAsync"/> (an empty rule's customers) as id queries
    /// without a join, to read all eligible customers into memory and compose them there
    /// </summary>
    EligibilityQueries BuildEligibilityQueries();
}
