using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The real rule query builder, counting its builds of full rule queries (and apart, of conditions-only queries) and able to hold one open (concurrency tests)
/// </summary>
public class ObservedRuleQueryBuilder : ISegmentRuleQueryBuilder
{
    private readonly ISegmentRuleQueryBuilder _builder;
    private int _buildCount;
    private int _conditionsBuildCount;

    public ObservedRuleQueryBuilder(ISegmentRuleQueryBuilder builder)
    {
        _builder = builder;
    }

    /// <summary>
    /// Called at the start of each build
    /// </summary>
    public Func<Task> OnBuild { get; set; }

    public int BuildCount
    {
        get => Volatile.Read(ref _buildCount);
        set => Volatile.Write(ref _buildCount, value);
    }

    /// <summary>
    /// Builds of queries of segments' rules (full or conditions only), not counting the eligibility (an empty rule)
    /// </summary>
    public int SegmentQueryBuildCount
    {
        get => Volatile.Read(ref _segmentQueryBuildCount);
        set => Volatile.Write(ref _segmentQueryBuildCount, value);
    }

    private int _segmentQueryBuildCount;

    private void CountSegmentQuery(SegmentRule rule)
    {
        if (rule.Root is { Children.Count: > 0 })
            Interlocked.Increment(ref _segmentQueryBuildCount);
    }

    public async Task<IQueryable<int>> BuildMatchingCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        Interlocked.Increment(ref _buildCount);
        CountSegmentQuery(rule);
        if (OnBuild != null)
            await OnBuild();

        return await _builder.BuildMatchingCustomerIdsQueryAsync(rule, storeId, nowUtc);
    }

    /// <summary>
    /// Builds of the conditions-only queries (the change check of a re-evaluation), not counted in <see cref="BuildCount"/>
    /// </summary>
    public int ConditionsBuildCount
    {
        get => Volatile.Read(ref _conditionsBuildCount);
        set => Volatile.Write(ref _conditionsBuildCount, value);
    }

    public async Task<IQueryable<int>> BuildConditionsCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        Interlocked.Increment(ref _conditionsBuildCount);
        CountSegmentQuery(rule);
        if (OnBuild != null)
            await OnBuild();

        return await _builder.BuildConditionsCustomerIdsQueryAsync(rule, storeId, nowUtc);
    }

    public Func<CustomerOrderFigures, bool?> BuildOrderFiguresDecision(SegmentRule rule, int storeId, DateTime nowUtc) =>
        _builder.BuildOrderFiguresDecision(rule, storeId, nowUtc);

    public IEnumerable<DateTime> GetDecisionPeriodStarts(SegmentRule rule, DateTime nowUtc) => _builder.GetDecisionPeriodStarts(rule, nowUtc);

    public PurchaseNames GetDecisionPurchaseNames(SegmentRule rule) => _builder.GetDecisionPurchaseNames(rule);

    public EligibilityQueries BuildEligibilityQueries() => _builder.BuildEligibilityQueries();
}
