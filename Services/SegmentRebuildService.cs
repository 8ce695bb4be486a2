using LinqToDB;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Rebuilds dynamic segments with two statements per segment: an UPDATE that closes the stays of customers who
/// no longer match, then an INSERT ... SELECT that opens stays for customers who match and are not members.
/// Both compare the rule's query with the current rows, so each changes only what differs, and running them
/// again after a failure in between completes the rebuild (see <see cref="ApplyAsync"/>).
/// </summary>
public class SegmentRebuildService : ISegmentRebuildService
{
    /// <summary>
    /// Customer ids per statement when re-evaluating a list of customers
    /// </summary>
    public const int CustomerBatchSize = 500;

    /// <summary>
    /// Data whose change can take a customer in or out of every segment: the eligibility every rule query
    /// applies (deleted, active, system account, guest) reads the customer and their roles
    /// </summary>
    public const RuleDataSources EligibilitySources = RuleDataSources.Customer | RuleDataSources.CustomerRoles;

    protected readonly ILogger _logger;
    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly ISegmentCacheInvalidator _segmentCacheInvalidator;
    protected readonly ISegmentRuleQueryBuilder _segmentRuleQueryBuilder;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;
    protected readonly SegmentRuleAnalyzer _segmentRuleAnalyzer;
    protected readonly ISegmentMembershipTransaction _segmentMembershipTransaction;

    public SegmentRebuildService(ILogger logger,
        INopDataProvider dataProvider,
        IRepository<Segment> segmentRepository,
        IRepository<SegmentMembership> membershipRepository,
        ISegmentCacheInvalidator segmentCacheInvalidator,
        ISegmentRuleQueryBuilder segmentRuleQueryBuilder,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentRuleValidator segmentRuleValidator,
        SegmentRuleAnalyzer segmentRuleAnalyzer,
        ISegmentMembershipTransaction segmentMembershipTransaction)
    {
        _logger = logger;
        _dataProvider = dataProvider;
        _segmentRepository = segmentRepository;
        _membershipRepository = membershipRepository;
        _segmentCacheInvalidator = segmentCacheInvalidator;
        _segmentRuleQueryBuilder = segmentRuleQueryBuilder;
        _segmentRuleSerializer = segmentRuleSerializer;
        _segmentRuleValidator = segmentRuleValidator;
        _segmentRuleAnalyzer = segmentRuleAnalyzer;
        _segmentMembershipTransaction = segmentMembershipTransaction;
    }

    #region Utilities

    protected virtual IQueryable<SegmentMembership> Current(int segmentId) =>
        _membershipRepository.Table.Where(membership => membership.SegmentId == segmentId && membership.LeftOnUtc == null);

    /// <summary>
    /// The segment's rule, parsed and validated
    /// </summary>
    /// <exception cref="SegmentRuleValidationException"></exception>
    protected virtual async Task<SegmentRule> GetValidRuleAsync(Segment segment)
    {
        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
        if (!parsed.Success)
            throw new SegmentRuleValidationException(parsed.Errors);

        var errors = await _segmentRuleValidator.ValidateAsync(parsed.Rule, segment.Id);
        if (errors.Count > 0)
            throw new SegmentRuleValidationException(errors);

        return parsed.Rule;
    }

    /// <summary>
    /// The active dynamic segments and the dependencies of their rules (segments whose rules do not parse are
    /// left out of the dependencies: they are reported when rebuilt)
    /// </summary>
    protected virtual async Task<(IList<Segment> Segments, IDictionary<int, SegmentRuleDependencies> Dependencies)> LoadActiveDynamicSegmentsAsync()
    {
        var segments = await _segmentRepository.Table
            .Where(segment => segment.Active && segment.SegmentTypeId == (int)SegmentType.Dynamic)
            .OrderBy(segment => segment.Id)
            .ToListAsync();

        var dependencies = new Dictionary<int, SegmentRuleDependencies>();
        foreach (var segment in segments)
        {
            var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
            if (parsed.Success)
                dependencies[segment.Id] = _segmentRuleAnalyzer.GetDependencies(parsed.Rule);
        }

        return (segments, dependencies);
    }

    /// <summary>
    /// Brings the segment's current members in line with its rule, for all customers or only the given ones.
    /// All statements of the segment run in one transaction (see <see cref="ISegmentMembershipTransaction"/>):
    /// a failure leaves the segment as it was, and the next run completes it. Where the engine has no
    /// transaction (SQLite here) the UPDATE running first still leaves a subset of the true members.
    /// Customer ids come in batches, each batch the same two statements.
    /// </summary>
    protected virtual async Task<SegmentRebuildResult> ApplyAsync(Segment segment, SegmentRule rule, IList<int> customerIds, DateTime nowUtc)
    {
        var segmentId = segment.Id;
        var matching = await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(rule, segment.StoreId, nowUtc);
        var memberships = (ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>();

        var batches = customerIds == null
            ? [null]
            : customerIds.Where(id => id > 0).Distinct().Chunk(CustomerBatchSize).ToList();

        var entered = 0;
        var left = 0;
        try
        {
            await _segmentMembershipTransaction.RunAsync(segmentId, _segmentRuleAnalyzer.GetDependencies(rule).ReferencedSegmentIds, async () =>
            {
                entered = left = 0;
                foreach (var batch in batches)
                {
                    var leaving = Current(segmentId);
                    var candidates = matching;
                    if (batch != null)
                    {
                        leaving = leaving.Where(membership => batch.Contains(membership.CustomerId));
                        candidates = candidates.Where(customerId => batch.Contains(customerId));
                    }

                    left += await leaving
                        .Where(membership => !candidates.Contains(membership.CustomerId))
                        .Set(membership => membership.LeftOnUtc, (DateTime?)nowUtc)
                        .UpdateAsync();

                    var current = Current(segmentId);
                    entered += await candidates
                        .Distinct()
                        .Where(customerId => !current.Any(membership => membership.CustomerId == customerId))
                        .InsertAsync(memberships, customerId => new SegmentMembership
                        {
                            SegmentId = segmentId,
                            CustomerId = customerId,
                            EnteredOnUtc = nowUtc
                        });
                }

                return entered + left;
            });
        }
        finally
        {
            //also after a failure (rolled back, or on an engine without transactions, half done): dropping the cache is always safe
            if (entered + left > 0)
            {
                if (customerIds == null)
                    await _segmentCacheInvalidator.AllMembershipsChangedAsync();
                else
                    await _segmentCacheInvalidator.CustomersMembershipChangedAsync(customerIds.Where(id => id > 0));
            }
        }

        return new SegmentRebuildResult(segmentId, entered, left);
    }

    /// <summary>
    /// A full rebuild of one segment: membership, then the time of the rebuild (only set once both statements ran)
    /// </summary>
    protected virtual async Task<SegmentRebuildResult> RebuildOneAsync(Segment segment, DateTime nowUtc)
    {
        var rule = await GetValidRuleAsync(segment);
        var result = await ApplyAsync(segment, rule, null, nowUtc);

        var segmentId = segment.Id;
        await _segmentRepository.Table
            .Where(item => item.Id == segmentId)
            .Set(item => item.LastRebuiltOnUtc, (DateTime?)nowUtc)
            .UpdateAsync();
        segment.LastRebuiltOnUtc = nowUtc;

        return result;
    }

    /// <summary>
    /// Runs the action on each segment in order; a segment with an invalid rule is logged and skipped, as is
    /// any other failure, so that one broken segment does not keep the others stale
    /// </summary>
    protected virtual async Task<IList<SegmentRebuildResult>> RunEachAsync(IEnumerable<Segment> segments,
        Func<Segment, Task<SegmentRebuildResult>> action, Func<Task<bool>> continueAsync = null)
    {
        var results = new List<SegmentRebuildResult>();
        foreach (var segment in segments)
        {
            if (continueAsync != null && !await continueAsync())
                break;

            try
            {
                results.Add(await action(segment));
            }
            catch (SegmentRuleValidationException exception)
            {
                await _logger.WarningAsync($"Customer segments: segment '{segment.Name}' (id {segment.Id}) was not rebuilt: {exception.Message}", exception);
            }
            catch (Exception exception)
            {
                await _logger.ErrorAsync($"Customer segments: rebuilding segment '{segment.Name}' (id {segment.Id}) failed; the next rebuild completes it", exception);
            }
        }

        return results;
    }

    #endregion

    #region Methods

    public virtual async Task<SegmentRebuildResult> RebuildSegmentAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.SegmentTypeId != (int)SegmentType.Dynamic)
            throw new InvalidOperationException("Only dynamic segments are rebuilt from a rule");

        var nowUtc = DateTime.UtcNow;
        var result = await RebuildOneAsync(segment, nowUtc);

        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();
        var dependentIds = _segmentRuleAnalyzer.GetDependents([segment.Id], dependencies);
        if (dependentIds.Count > 0)
        {
            var dependents = _segmentRuleAnalyzer.OrderByDependency(segments.Where(item => dependentIds.Contains(item.Id)), dependencies);
            await RunEachAsync(dependents, dependent => RebuildOneAsync(dependent, nowUtc));
        }

        return result;
    }

    public virtual async Task<IList<SegmentRebuildResult>> RebuildAllSegmentsAsync()
    {
        var nowUtc = DateTime.UtcNow;
        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();

        return await RunEachAsync(_segmentRuleAnalyzer.OrderByDependency(segments, dependencies),
            segment => RebuildOneAsync(segment, nowUtc));
    }

    public virtual async Task<IList<SegmentRebuildResult>> RebuildTimeDependentSegmentsAsync(Func<Task<bool>> continueAsync = null)
    {
        var nowUtc = DateTime.UtcNow;
        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();

        var timeDependent = dependencies
            .Where(pair => pair.Value.Sources.HasFlag(RuleDataSources.Clock))
            .Select(pair => pair.Key)
            .ToHashSet();
        timeDependent.UnionWith(_segmentRuleAnalyzer.GetDependents(timeDependent, dependencies));

        var selected = segments.Where(segment => timeDependent.Contains(segment.Id));

        return await RunEachAsync(_segmentRuleAnalyzer.OrderByDependency(selected, dependencies),
            segment => RebuildOneAsync(segment, nowUtc), continueAsync);
    }

    public virtual async Task<IList<SegmentRebuildResult>> ReevaluateCustomersAsync(IList<int> customerIds, RuleDataSources changed)
    {
        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        if (ids.Count == 0 || changed == RuleDataSources.None)
            return [];

        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();
        var everySegment = (changed & EligibilitySources) != 0;

        var affected = segments
            .Where(segment => everySegment
                || !dependencies.TryGetValue(segment.Id, out var dependency)
                || (dependency.Sources & changed) != 0)
            .Select(segment => segment.Id)
            .ToHashSet();
        affected.UnionWith(_segmentRuleAnalyzer.GetDependents(affected, dependencies));

        if (affected.Count == 0)
            return [];

        var nowUtc = DateTime.UtcNow;
        var ordered = _segmentRuleAnalyzer.OrderByDependency(segments.Where(segment => affected.Contains(segment.Id)), dependencies);

        return await RunEachAsync(ordered, async segment =>
        {
            var rule = await GetValidRuleAsync(segment);
            return await ApplyAsync(segment, rule, ids, nowUtc);
        });
    }

    #endregion
}
