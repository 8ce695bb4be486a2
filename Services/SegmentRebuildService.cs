using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Rebuilds dynamic segments. A full rebuild reads the eligible customers (not deleted, not system accounts, guests
/// only when the settings include them) once per run into memory, then per segment the customers its rule's
/// conditions match, keeps the eligible ones, compares them with the current members and writes only the
/// differences (see <see cref="RebuildOneAsync"/>), so that running again after a failure completes the rebuild.
/// Customers re-evaluated after events are <see cref="SegmentReevaluationService"/>'s.
/// </summary>
public class SegmentRebuildService : DynamicSegmentServiceBase, ISegmentRebuildService
{
    /// <summary>
    /// Up to this many newcomers of a segment in a full rebuild, their eligibility is read again before they join
    /// </summary>
    public const int RecheckedNewcomerLimit = 5000;

    protected readonly ISegmentMembershipSynchronizer _segmentMembershipSynchronizer;

    public SegmentRebuildService(ILogger logger,
        INopDataProvider dataProvider,
        IRepository<Segment> segmentRepository,
        IRepository<SegmentMembership> membershipRepository,
        ISegmentCacheInvalidator segmentCacheInvalidator,
        ISegmentRuleQueryBuilder segmentRuleQueryBuilder,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentRuleValidator segmentRuleValidator,
        SegmentRuleAnalyzer segmentRuleAnalyzer,
        ICustomerOrderStatisticsService orderStatisticsService,
        ISegmentMembershipTransaction segmentMembershipTransaction,
        ISegmentMembershipSynchronizer segmentMembershipSynchronizer)
        : base(logger, dataProvider, segmentRepository, membershipRepository, segmentCacheInvalidator, segmentRuleQueryBuilder, segmentRuleSerializer,
            segmentRuleValidator, segmentRuleAnalyzer, orderStatisticsService, segmentMembershipTransaction)
    {
        _segmentMembershipSynchronizer = segmentMembershipSynchronizer;
    }

    #region Utilities

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

        return (segments, ParseRules(segments).Dependencies);
    }

    /// <summary>
    /// Whether a condition of the segment's rule tests one of the fields (a rule that does not parse is reported when rebuilt)
    /// </summary>
    protected virtual bool ReadsAnyOf(Segment segment, IReadOnlySet<string> fields)
    {
        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
        return parsed.Success && _segmentRuleAnalyzer.ReadsAnyOf(parsed.Rule, fields);
    }

    protected virtual bool ReadsOrderStatistics(Segment segment) => ReadsAnyOf(segment, OrderFigureFields.OrderStatisticsFields);

    protected virtual bool ReadsRfm(Segment segment) => ReadsAnyOf(segment, OrderFigureFields.RfmFields);

    protected virtual bool ReadsDailyPurchases(Segment segment) => ReadsAnyOf(segment, OrderFigureFields.DailyPurchasesFields);

    /// <summary>
    /// Recomputes the order statistics (and the purchases per day kept with them) from all orders when one of the
    /// segments reads them and they are not current (never filled, or filled with other settings). Current statistics
    /// are kept so by the order events, and moved with time (RFM window, scores) by the scheduled rebuild. Rules on
    /// the purchases of a period read the orders until then, with the same result.
    /// </summary>
    /// <returns>Whether the statistics were recomputed</returns>
    protected virtual async Task<bool> RefreshOrderStatisticsAsync(IEnumerable<Segment> segments, DateTime nowUtc)
    {
        if (_orderStatisticsService.AreCurrent() || !segments.Any(segment => ReadsOrderStatistics(segment) || ReadsDailyPurchases(segment)))
            return false;

        await _orderStatisticsService.RecomputeAllAsync(nowUtc);
        return true;
    }

    /// <summary>
    /// The eligible customers (those of an empty rule), read once per run of full rebuilds: the read starts at the
    /// first call, later calls return the same set. A run calls it before its first segment (see
    /// <see cref="StartReadingEligibleCustomers"/>), so that the read, on its own connection, overlaps the first
    /// segments' reads of their conditions.
    /// </summary>
    protected virtual Func<Task<CustomerIdSet>> EligibleCustomersOnce(DateTime nowUtc)
    {
        Task<CustomerIdSet> eligible = null;
        return () => eligible ??= ReadEligibleCustomersAsync(nowUtc);
    }

    /// <summary>
    /// Starts reading the eligible customers of a run when there are segments to rebuild. The read is outside the
    /// segments' transactions, as it was when read first thing in the run: a customer whose eligibility changes
    /// during the run is set right by the event of that change (which waits for the segment's transaction) or by
    /// the next run.
    /// </summary>
    protected virtual Func<Task<CustomerIdSet>> StartReadingEligibleCustomers(DateTime nowUtc, bool any)
    {
        var eligible = EligibleCustomersOnce(nowUtc);
        if (any)
        {
            //observed by the segments that await it; a failure fails (and is logged for) each of them
            _ = eligible().ContinueWith(task => _ = task.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }

        return eligible;
    }

    /// <summary>
    /// Reads the eligible customers: the candidates (not deleted, not system accounts), minus the customers in the
    /// Guests role who are not in the Registered role unless the settings include guests, each an id query without
    /// a join, composed in memory (see <see cref="SegmentQueries.EligibilityParts"/>)
    /// </summary>
    protected virtual Task<CustomerIdSet> ReadEligibleCustomersAsync(DateTime nowUtc) =>
        ReadEligibleAsync(_segmentRuleQueryBuilder.BuildEligibilityQueries(), customerIds => customerIds);

    /// <summary>
    /// The eligible customers of the eligibility queries, each query narrowed the same way (all customers, or a batch)
    /// </summary>
    protected virtual async Task<CustomerIdSet> ReadEligibleAsync(EligibilityQueries queries, Func<IQueryable<int>, IQueryable<int>> among)
    {
        var eligible = await _segmentMembershipSynchronizer.ReadCustomerIdsAsync(among(queries.Candidates));
        if (queries.GuestIds == null)
            return eligible;

        var guestsOnly = await _segmentMembershipSynchronizer.ReadCustomerIdsAsync(among(queries.GuestIds));
        guestsOnly.ExceptWith(await _segmentMembershipSynchronizer.ReadCustomerIdsAsync(among(queries.RegisteredIds)));
        eligible.ExceptWith(guestsOnly);

        return eligible;
    }

    /// <summary>
    /// Brings all of the segment's members in line with its rule. Within the segment's transaction (see
    /// <see cref="ISegmentMembershipTransaction"/>), so that writers of the same segment wait and a failure leaves
    /// the segment as it was: the customers the rule's conditions match are read (they see the memberships of the
    /// segments written before this one in the run), those eligible are the members, compared in memory with the
    /// current members; only the differences are written.
    /// </summary>
    protected virtual async Task<SegmentRebuildResult> ApplyAllAsync(Segment segment, SegmentRule rule, Func<Task<CustomerIdSet>> eligibleAsync, DateTime nowUtc)
    {
        var segmentId = segment.Id;
        var conditions = await _segmentRuleQueryBuilder.BuildConditionsCustomerIdsQueryAsync(rule, segment.StoreId, nowUtc);

        var entered = 0;
        var left = 0;
        var skipped = false;
        try
        {
            await _segmentMembershipTransaction.RunAsync(segmentId, _segmentRuleAnalyzer.GetDependencies(rule).ReferencedSegmentIds, async () =>
            {
                entered = left = 0;
                skipped = !await IsAsLoadedAsync(segment);
                if (skipped)
                    return 0;

                var members = await _segmentMembershipSynchronizer.ReadCustomerIdsAsync(conditions);
                var eligible = await eligibleAsync();
                var matchingIneligible = new CustomerIdSet();
                foreach (var customerId in members.Where(customerId => !eligible.Contains(customerId)))
                    matchingIneligible.Add(customerId);
                members.IntersectWith(eligible);
                //the run read the eligible customers before this transaction: a member whose event let him in since stays,
                //a newcomer whose event took him out since (deleted, made a system account) does not join
                (entered, left) = await _segmentMembershipSynchronizer.SynchronizeAsync(segmentId, members, WriteMoment(),
                    leaving => EligibleNowAsync(leaving, matchingIneligible), NoLongerEligibleAsync);

                return entered + left;
            });
        }
        finally
        {
            //also after a failure (rolled back, or on an engine without transactions, half done): dropping the cache is always safe
            if (entered + left > 0)
                await _segmentCacheInvalidator.AllMembershipsChangedAsync();
        }

        return new SegmentRebuildResult(segmentId, entered, left, Skipped: skipped);
    }

    /// <summary>
    /// Among the members about to leave, those who match the rule and were not eligible when the run read eligibility,
    /// but are now (a guest registered meanwhile, whose event let him in): they stay
    /// </summary>
    protected virtual async Task<CustomerIdSet> EligibleNowAsync(CustomerIdSet leaving, CustomerIdSet matchingIneligible)
    {
        var candidates = leaving.Where(matchingIneligible.Contains).ToArray();

        return candidates.Length == 0 ? new CustomerIdSet() : await EligibleAmongAsync(candidates);
    }

    /// <summary>
    /// Among the newcomers of a segment, those who are not eligible any more (deleted or made a system account since the
    /// run read eligibility, whose event closed their stays): they do not join. Read only for up to
    /// <see cref="RecheckedNewcomerLimit"/> newcomers, as a scheduled run over current memberships has; more (a new
    /// segment, a new rule) are left to the events and the next run.
    /// </summary>
    protected virtual async Task<CustomerIdSet> NoLongerEligibleAsync(CustomerIdSet joining)
    {
        var gone = new CustomerIdSet();
        if (joining.Count == 0 || joining.Count > RecheckedNewcomerLimit)
            return gone;

        var eligible = await EligibleAmongAsync(joining);
        foreach (var customerId in joining.Where(customerId => !eligible.Contains(customerId)))
            gone.Add(customerId);

        return gone;
    }

    /// <summary>
    /// The eligible customers among a few, read in batches
    /// </summary>
    protected virtual async Task<CustomerIdSet> EligibleAmongAsync(IEnumerable<int> customerIds)
    {
        var eligible = new CustomerIdSet();
        var queries = _segmentRuleQueryBuilder.BuildEligibilityQueries();
        foreach (var batch in customerIds.Chunk(CustomerBatchSize))
        {
            foreach (var customerId in await ReadEligibleAsync(queries, ids => ids.Where(customerId => batch.Contains(customerId))))
                eligible.Add(customerId);
        }

        return eligible;
    }

    /// <summary>
    /// Whether the segment is still a dynamic segment of the same rule, store and active flag as when the run loaded it;
    /// read inside its transaction, where the segment's row is locked: an admin's change waits for the write, or comes first
    /// </summary>
    protected virtual async Task<bool> IsAsLoadedAsync(Segment segment)
    {
        var segmentId = segment.Id;
        var saved = await _segmentRepository.Table
            .Where(item => item.Id == segmentId)
            .Select(item => new { item.Active, item.SegmentTypeId, item.StoreId, item.RuleJson })
            .FirstOrDefaultAsync();

        return saved != null && saved.Active == segment.Active && saved.SegmentTypeId == (int)SegmentType.Dynamic && saved.StoreId == segment.StoreId
            && string.Equals(saved.RuleJson, segment.RuleJson, StringComparison.Ordinal);
    }

    /// <summary>
    /// A full rebuild of one segment: membership, then the time of the rebuild (only set once the membership is written)
    /// </summary>
    /// <param name="segment">The segment</param>
    /// <param name="eligibleAsync">The eligible customers of the run (see <see cref="EligibleCustomersOnce"/>)</param>
    /// <param name="nowUtc">The moment of the run</param>
    protected virtual async Task<SegmentRebuildResult> RebuildOneAsync(Segment segment, Func<Task<CustomerIdSet>> eligibleAsync, DateTime nowUtc)
    {
        var rule = await GetValidRuleAsync(segment);
        var result = await ApplyAllAsync(segment, rule, eligibleAsync, nowUtc);
        if (result.Skipped)
            return result;

        var segmentId = segment.Id;
        await _segmentRepository.Table
            .Where(item => item.Id == segmentId)
            .Set(item => item.LastRebuiltOnUtc, (DateTime?)nowUtc)
            .UpdateAsync();
        segment.LastRebuiltOnUtc = nowUtc;

        return result;
    }

    /// <summary>
    /// Static segments keep the customers picked by hand, but no customer deleted or made a system account since: their
    /// stays are closed, before the dynamic segments that may reference the static ones are rebuilt.
    /// A failure is logged and holds back no rebuild.
    /// </summary>
    protected virtual async Task CloseStaticStaysOfRemovedCustomersAsync()
    {
        try
        {
            var staticSegmentIds = _segmentRepository.Table.Where(segment => segment.SegmentTypeId == (int)SegmentType.Static).Select(segment => segment.Id);
            //deleted, made a system account, or removed for good (nopCommerce deletes old guests' rows in bulk, without events)
            var remainingCustomers = _dataProvider.GetTable<Customer>().Where(customer => !customer.Deleted && !customer.IsSystemAccount);
            //read first, then closed by key: an UPDATE scanning the open stays would lock them beside the events' writers
            var stayIds = await _membershipRepository.Table.Current()
                .Where(membership => staticSegmentIds.Contains(membership.SegmentId)
                    && !remainingCustomers.Any(customer => customer.Id == membership.CustomerId))
                .Select(membership => membership.Id)
                .ToListAsync();
            if (stayIds.Count == 0)
                return;

            var closed = 0;
            foreach (var batch in stayIds.Chunk(CustomerBatchSize))
            {
                closed += await _membershipRepository.Table
                    .Where(membership => batch.Contains(membership.Id))
                    .Current()
                    .Set(membership => membership.LeftOnUtc, (DateTime?)WriteMoment())
                    .UpdateAsync();
            }

            if (closed > 0)
                await _segmentCacheInvalidator.AllMembershipsChangedAsync();
        }
        catch (Exception exception)
        {
            await _logger.ErrorAsync("Customer segments: closing the static segments' stays of deleted customers and system accounts failed; the next full rebuild does it", exception);
        }
    }

    /// <summary>
    /// The scheduled rebuild: the segments whose rules depend on the current time (or all of them) and the segments
    /// that reference those; with all of them, the static segments lose their deleted customers and system accounts
    /// </summary>
    protected virtual async Task<IList<SegmentRebuildResult>> RebuildOnScheduleAsync(bool allSegments, Func<Task<bool>> continueAsync)
    {
        var nowUtc = DateTime.UtcNow;
        if (allSegments)
            await CloseStaticStaysOfRemovedCustomersAsync();
        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();

        var selectedIds = dependencies
            .Where(pair => allSegments || pair.Value.Sources.HasFlag(RuleDataSources.Clock))
            .Select(pair => pair.Key)
            .ToHashSet();
        //RFM scores move with time (the window slides, order events add buyers): refreshed in place and re-ranked once
        //per run when a segment reads them (RFM conditions are time-based); statistics that were not current (install,
        //settings change) are recomputed for every segment that reads them, and those segments are rebuilt too
        if (await RefreshOrderStatisticsAsync(segments, nowUtc))
            selectedIds.UnionWith(segments.Where(ReadsOrderStatistics).Select(segment => segment.Id));
        else if (segments.Any(segment => selectedIds.Contains(segment.Id) && ReadsRfm(segment)))
            await _orderStatisticsService.RefreshAllAsync(nowUtc);

        if (allSegments)
            selectedIds.UnionWith(segments.Select(segment => segment.Id));

        return await RebuildWithDependentsAsync(segments, dependencies, selectedIds, nowUtc, continueAsync);
    }

    /// <summary>
    /// Rebuilds the selected segments and the segments that reference them, in dependency order, in one run (the
    /// eligible customers read once)
    /// </summary>
    protected virtual async Task<IList<SegmentRebuildResult>> RebuildWithDependentsAsync(IList<Segment> segments,
        IDictionary<int, SegmentRuleDependencies> dependencies, ISet<int> selectedIds, DateTime nowUtc, Func<Task<bool>> continueAsync = null)
    {
        selectedIds.UnionWith(_segmentRuleAnalyzer.GetDependents(selectedIds, dependencies));
        var selected = segments.Where(segment => selectedIds.Contains(segment.Id)).ToList();
        var eligible = StartReadingEligibleCustomers(nowUtc, selected.Count > 0);

        return await RunEachAsync(_segmentRuleAnalyzer.OrderByDependency(selected, dependencies),
            segment => RebuildOneAsync(segment, eligible, nowUtc), continueAsync);
    }

    #endregion

    #region Methods

    public virtual async Task<SegmentRebuildResult> RebuildSegmentAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.SegmentTypeId != (int)SegmentType.Dynamic)
            throw new InvalidOperationException("Only dynamic segments are rebuilt from a rule");

        var nowUtc = DateTime.UtcNow;
        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();
        var dependentIds = _segmentRuleAnalyzer.GetDependents([segment.Id], dependencies);
        var dependents = _segmentRuleAnalyzer.OrderByDependency(segments.Where(item => dependentIds.Contains(item.Id)), dependencies);

        //the statistics are kept current from order events: recomputed here only when not filled for these settings;
        //RFM scores are those of the last scheduled rebuild, as for every other segment
        await RefreshOrderStatisticsAsync(dependents.Prepend(segment), nowUtc);
        var eligible = StartReadingEligibleCustomers(nowUtc, true);
        var result = await RebuildOneAsync(segment, eligible, nowUtc);

        if (dependents.Count > 0)
            await RunEachAsync(dependents, dependent => RebuildOneAsync(dependent, eligible, nowUtc));

        return result;
    }

    public virtual async Task<IList<SegmentRebuildResult>> RebuildAllSegmentsAsync()
    {
        var nowUtc = DateTime.UtcNow;
        await CloseStaticStaysOfRemovedCustomersAsync();
        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();
        //as for one segment: current statistics are not refreshed (the scheduled rebuild moves them with time)
        await RefreshOrderStatisticsAsync(segments, nowUtc);
        var eligible = StartReadingEligibleCustomers(nowUtc, segments.Count > 0);

        return await RunEachAsync(_segmentRuleAnalyzer.OrderByDependency(segments, dependencies),
            segment => RebuildOneAsync(segment, eligible, nowUtc));
    }

    public virtual Task<IList<SegmentRebuildResult>> RebuildTimeDependentSegmentsAsync(Func<Task<bool>> continueAsync = null) =>
        RebuildOnScheduleAsync(false, continueAsync);

    public virtual Task<IList<SegmentRebuildResult>> RebuildAllSegmentsOnScheduleAsync(Func<Task<bool>> continueAsync = null) =>
        RebuildOnScheduleAsync(true, continueAsync);

    #endregion
}
