using Nop.Plugin.Misc.CustomerSegments.Domain;

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
    /// What the rule's order statistics, RFM and period purchase conditions decide for one customer, computed in memory
    /// from the customer's figures with the same tests the rule's query makes: false when one of them fails (the rule
    /// is an AND), true when they pass and are all the rule has, null when other conditions decide (or a period the
    /// figures do not hold). Only for the rule's conditions: the eligibility is not tested. Null (no decision at all)
    /// for a rule that is not an AND holding such conditions.
    /// </summary>
    /// <param name="rule">A rule that passed validation</param>
    /// <param name="storeId">The segment's store (0 for all): the row of that store is tested</param>
    /// <param name="nowUtc">The moment relative dates are measured from</param>
    Func<CustomerOrderFigures, bool?> BuildOrderFiguresDecision(SegmentRule rule, int storeId, DateTime nowUtc);

    /// <summary>
    /// The starts of the periods whose purchases <see cref="BuildOrderFiguresDecision"/> tests for the rule (those of
    /// its period purchase conditions), to read with the customer's figures
    /// </summary>
    /// <param name="rule">A rule that passed validation</param>
    /// <param name="nowUtc">The moment relative dates are measured from</param>
    IEnumerable<DateTime> GetDecisionPeriodStarts(SegmentRule rule, DateTime nowUtc);

    /// <summary>
    /// The products, categories and manufacturers whose purchases <see cref="BuildOrderFiguresDecision"/> tests for the
    /// rule (those of its purchase conditions), to read with the customer's figures
    /// </summary>
    /// <param name="rule">A rule that passed validation</param>
    PurchaseNames GetDecisionPurchaseNames(SegmentRule rule);

    /// <summary>
    /// The eligibility of <see cref="BuildMatchingCustomerIdsQueryAsync"/> (an empty rule's customers) as id queries
    /// without a join, to read all eligible customers into memory and compose them there
    /// </summary>
    EligibilityQueries BuildEligibilityQueries();
}
