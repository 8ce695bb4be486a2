using LinqToDB;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Re-evaluates customers after events. Per segment, an UPDATE closes the stays of those who no longer match and an
/// INSERT ... SELECT opens stays for those who match and are not members (see <see cref="ApplyAsync"/>); one customer
/// (an event) is decided first, mostly in memory from his order statistics, and only the changes are written (see
/// <see cref="ReevaluateCustomerAsync"/>). Either way only what differs changes, and running again after a failure
/// completes it.
/// </summary>
public class SegmentReevaluationService : DynamicSegmentServiceBase, ISegmentReevaluationService
{
    /// <summary>
    /// Up to this many customers, re-evaluation first checks in one query which segments change at all
    /// </summary>
    public const int PrecheckCustomerLimit = 20;

    /// <summary>
    /// Data whose change can take a customer in or out of any segment: the eligibility every rule query applies
    /// (deleted, system account, guest) reads the customer and their roles (see <see cref="GetEligibilityChanges"/>)
    /// </summary>
    public const RuleDataSources EligibilitySources = RuleDataSources.Customer | RuleDataSources.CustomerRoles;

    /// <summary>
    /// At most this many periods (of different lengths) are read with the order's day to decide their rules in memory:
    /// each adds a part to the read of the day
    /// </summary>
    public const int MaxPeriodsReadWithTheDay = 4;

    /// <summary>
    /// At most this many products, categories and manufacturers (all together) have their purchases read with the
    /// order's products to decide their rules in memory: the rules whose ids do not fit are left to their queries
    /// </summary>
    public const int MaxPurchaseNamesReadWithTheProducts = 100;

    protected readonly IActiveSegmentReader _activeSegmentReader;
    protected readonly ICustomerReevaluationLock _customerReevaluationLock;

    public SegmentReevaluationService(ILogger logger,
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
        IActiveSegmentReader activeSegmentReader,
        ICustomerReevaluationLock customerReevaluationLock)
        : base(logger, dataProvider, segmentRepository, membershipRepository, segmentCacheInvalidator, segmentRuleQueryBuilder, segmentRuleSerializer,
            segmentRuleValidator, segmentRuleAnalyzer, orderStatisticsService, segmentMembershipTransaction)
    {
        _activeSegmentReader = activeSegmentReader;
        _customerReevaluationLock = customerReevaluationLock;
    }

    #region Utilities

    protected virtual Task<IQueryable<int>> BuildMatchingAsync(Segment segment, SegmentRule rule, DateTime nowUtc) =>
        _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(rule, segment.StoreId, nowUtc);

    /// <summary>
    /// The active dynamic segments from nopCommerce's static cache (see <see cref="IActiveSegmentReader"/>), with
    /// their parsed rules and the dependencies of the rules that parse (the others are reported when applied)
    /// </summary>
    protected virtual async Task<(IList<Segment> Segments, IDictionary<int, SegmentRule> Rules, IDictionary<int, SegmentRuleDependencies> Dependencies)> LoadCachedActiveDynamicSegmentsAsync()
    {
        var segments = (await _activeSegmentReader.GetActiveDynamicSegmentsAsync()).ToList();
        var (rules, dependencies) = ParseRules(segments);

        return (segments, rules, dependencies);
    }

    /// <summary>
    /// The starts of the periods whose purchases the rules' in-memory decisions test (see
    /// <see cref="ISegmentRuleQueryBuilder.GetDecisionPeriodStarts"/>), at most <see cref="MaxPeriodsReadWithTheDay"/>
    /// of them (the others are left to the rules' queries)
    /// </summary>
    protected virtual IReadOnlyCollection<DateTime> DecisionPeriodStarts(IEnumerable<SegmentRule> rules, DateTime nowUtc) =>
        rules.SelectMany(rule => _segmentRuleQueryBuilder.GetDecisionPeriodStarts(rule, nowUtc)).Distinct().Take(MaxPeriodsReadWithTheDay).ToList();

    /// <summary>
    /// The products, categories and manufacturers whose purchases the rules' in-memory decisions test (see
    /// <see cref="ISegmentRuleQueryBuilder.GetDecisionPurchaseNames"/>), rule by rule while they total at most
    /// <see cref="MaxPurchaseNamesReadWithTheProducts"/> ids
    /// </summary>
    protected virtual PurchaseNames DecisionPurchaseNames(IEnumerable<SegmentRule> rules)
    {
        var names = new PurchaseNames();
        foreach (var rule in rules)
        {
            var ruleNames = _segmentRuleQueryBuilder.GetDecisionPurchaseNames(rule);
            var together = new PurchaseNames();
            together.Add(names);
            together.Add(ruleNames);
            if (together.Count <= MaxPurchaseNamesReadWithTheProducts)
                names = together;
        }

        return names;
    }

    /// <summary>
    /// Whether a condition of the rule reads the order statistics that a customer's refresh writes (RFM scores aside)
    /// </summary>
    protected virtual bool ReadsOrderStatisticsBesidesRfm(SegmentRule rule) =>
        _segmentRuleAnalyzer.ReadsAnyOf(rule, OrderFigureFields.OrderStatisticsFieldsBesidesRfm);

    /// <summary>
    /// What the customers are now: whether any segment can have them (every rule applies the eligibility: not deleted,
    /// not a system account, not a guest), and the active dynamic segments each is in. One statement per batch reads both.
    /// </summary>
    protected virtual async Task<IDictionary<int, CustomerStanding>> ReadStandingsAsync(IList<int> customerIds, IList<Segment> segments, DateTime nowUtc)
    {
        var standings = new Dictionary<int, CustomerStanding>();
        if (segments.Count == 0)
            return standings;

        var eligibleCustomers = await EligibleCustomersAsync(nowUtc);
        foreach (var batch in customerIds.Chunk(CustomerBatchSize))
        {
            foreach (var (customerId, standing) in StandingsOf(await StandingOf(eligibleCustomers, batch).ToListAsync(), batch, segments))
                standings[customerId] = standing;
        }

        return standings;
    }

    /// <summary>
    /// The customers any segment can have: every rule applies this eligibility (an empty rule's query)
    /// </summary>
    protected virtual Task<IQueryable<int>> EligibleCustomersAsync(DateTime nowUtc) =>
        _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(new SegmentRule(), 0, nowUtc);

    /// <summary>
    /// The rows that tell what the customers are: the eligible among them (segment 0), their current memberships
    /// </summary>
    protected virtual IQueryable<SegmentCustomer> StandingOf(IQueryable<int> eligibleCustomers, int[] customerIds) =>
        MatchesOf(0, eligibleCustomers, customerIds).Concat(CurrentMembershipsOf(customerIds));

    /// <summary>
    /// What the customers are, from the rows of <see cref="StandingOf"/>
    /// </summary>
    protected static IDictionary<int, CustomerStanding> StandingsOf(IEnumerable<SegmentCustomer> rows, IEnumerable<int> customerIds, IList<Segment> segments)
    {
        var segmentIds = segments.Select(segment => segment.Id).ToHashSet();
        var read = rows.ToList();
        var eligible = read.Where(row => !row.Member).Select(row => row.CustomerId).ToHashSet();
        var segmentsOfCustomer = read
            .Where(row => row.Member && segmentIds.Contains(row.SegmentId))
            .ToLookup(row => row.CustomerId, row => row.SegmentId);

        return customerIds.ToDictionary(customerId => customerId,
            customerId => new CustomerStanding(eligible.Contains(customerId), segmentsOfCustomer[customerId].ToHashSet()));
    }

    /// <summary>
    /// The segments to re-evaluate, beyond those that read the changed data, when the customers' eligibility may have
    /// changed. The event does not say what a customer was before, the memberships do: a customer who is in a segment
    /// was eligible. So a customer who is not eligible now leaves the segments he is in; an eligible customer in no
    /// segment may have just become eligible and is evaluated in every segment; an eligible member stays eligible and
    /// needs nothing more (a customer no segment can have needs nothing, see <see cref="CustomerStanding.OutOfReach"/>).
    /// </summary>
    /// <returns>The customers to re-evaluate, by segment id</returns>
    protected virtual Dictionary<int, List<int>> GetEligibilityChanges(IDictionary<int, CustomerStanding> standings, IList<Segment> segments)
    {
        var changes = new Dictionary<int, List<int>>();
        var segmentIds = segments.Select(segment => segment.Id).ToList();
        foreach (var (customerId, standing) in standings.Where(item => !item.Value.OutOfReach))
        {
            var concerned = !standing.Eligible ? standing.MemberOf.ToList() : standing.MemberOf.Count == 0 ? segmentIds : [];
            foreach (var segmentId in concerned)
            {
                if (!changes.TryGetValue(segmentId, out var customers))
                    changes[segmentId] = customers = [];
                customers.Add(customerId);
            }
        }

        return changes;
    }

    /// <summary>
    /// The customers among those a query selects, as rows of a decision read for the segment (0: the eligible
    /// customers; see <see cref="SegmentCustomer"/>)
    /// </summary>
    protected static IQueryable<SegmentCustomer> MatchesOf(int segmentId, IQueryable<int> matching, int[] customerIds) =>
        OfCustomers(matching, customerIds).Select(customerId => new SegmentCustomer { SegmentId = segmentId, CustomerId = customerId, Member = false });

    /// <summary>
    /// The customers' current memberships in any segment, as rows of a decision read (see <see cref="SegmentCustomer"/>)
    /// </summary>
    protected virtual IQueryable<SegmentCustomer> CurrentMembershipsOf(int[] customerIds)
    {
        var current = _membershipRepository.Table.Current();
        current = customerIds is [var single]
            ? current.Where(membership => membership.CustomerId == single)
            : current.Where(membership => customerIds.Contains(membership.CustomerId));

        return current.Select(membership => new SegmentCustomer { SegmentId = membership.SegmentId, CustomerId = membership.CustomerId, Member = true });
    }

    /// <summary>
    /// Brings the segment's membership of the given customers in line with its rule (a full rebuild is
    /// <see cref="SegmentRebuildService"/>'s). All statements of the segment run in one transaction (see
    /// <see cref="ISegmentMembershipTransaction"/>): a failure leaves the segment as it was, and the next run completes
    /// it. Where the engine has no transaction (SQLite here) the UPDATE running first still leaves a subset of the true
    /// members. Customer ids come in batches, each batch the same two statements; one customer alone is tested by the
    /// rule's query once, then written by a small statement (<see cref="ApplyToCustomerAsync"/>).
    /// </summary>
    protected virtual async Task<SegmentRebuildResult> ApplyAsync(Segment segment, SegmentRule rule, IList<int> customerIds, DateTime nowUtc)
    {
        var segmentId = segment.Id;
        var matching = await BuildMatchingAsync(segment, rule, nowUtc);
        var memberships = (ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>();

        var ids = customerIds.Where(id => id > 0).Distinct().ToList();
        var batches = ids.Chunk(CustomerBatchSize).ToList();

        var entered = 0;
        var left = 0;
        try
        {
            await _segmentMembershipTransaction.RunAsync(segmentId, _segmentRuleAnalyzer.GetDependencies(rule).ReferencedSegmentIds, async () =>
            {
                entered = left = 0;
                var writtenOnUtc = WriteMoment();
                foreach (var batch in batches)
                {
                    if (batch is [var single])
                    {
                        var (enteredOne, leftOne) = await ApplyToCustomerAsync(segmentId, matching, single, writtenOnUtc);
                        entered += enteredOne;
                        left += leftOne;
                        continue;
                    }

                    var leaving = _membershipRepository.Table.CurrentOf(segmentId).Where(membership => batch.Contains(membership.CustomerId));
                    var candidates = matching.Where(customerId => batch.Contains(customerId));

                    left += await leaving
                        .Where(membership => !candidates.Any(customerId => customerId == membership.CustomerId))
                        .Set(membership => membership.LeftOnUtc, (DateTime?)writtenOnUtc)
                        .UpdateAsync();

                    var current = _membershipRepository.Table.CurrentOf(segmentId);
                    entered += await candidates
                        .Distinct()
                        .Where(customerId => !current.Any(membership => membership.CustomerId == customerId))
                        .InsertAsync(memberships, customerId => new SegmentMembership
                        {
                            SegmentId = segmentId,
                            CustomerId = customerId,
                            EnteredOnUtc = writtenOnUtc
                        });
                }

                return entered + left;
            });
        }
        finally
        {
            //also after a failure (rolled back, or on an engine without transactions, half done): dropping the cache is always safe
            if (entered + left > 0)
                await _segmentCacheInvalidator.CustomersMembershipChangedAsync(ids);
        }

        return new SegmentRebuildResult(segmentId, entered, left);
    }

    /// <summary>
    /// The statements of <see cref="ApplyAsync"/> for one customer (what an event changes): the rule's query runs
    /// once, as a test of the customer, then a small statement closes his stay or opens one. Within the segment's
    /// transaction, as the statements for a batch.
    /// </summary>
    /// <returns>How many stays were opened and closed</returns>
    protected virtual async Task<(int Entered, int Left)> ApplyToCustomerAsync(int segmentId, IQueryable<int> matching, int customerId, DateTime writtenOnUtc) =>
        await WriteMembershipAsync(segmentId, customerId, await matching.AnyAsync(id => id == customerId), writtenOnUtc);

    /// <summary>
    /// Closes the customer's open stay in the segment, or opens one when none is open: one guarded statement each,
    /// so that running it again, or after another writer, changes nothing more
    /// </summary>
    /// <returns>How many stays were opened and closed</returns>
    protected virtual async Task<(int Entered, int Left)> WriteMembershipAsync(int segmentId, int customerId, bool member, DateTime nowUtc)
    {
        var current = _membershipRepository.Table.CurrentOf(segmentId).Where(membership => membership.CustomerId == customerId);
        if (!member)
            return (0, await current.Set(membership => membership.LeftOnUtc, (DateTime?)nowUtc).UpdateAsync());

        //one statement that opens the stay only when none is open: where the engine has no transaction (SQLite here)
        //a writer running meanwhile cannot open a second one
        var entered = await _segmentRepository.Table
            .Where(item => item.Id == segmentId && !current.Any())
            .InsertAsync((ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>(), item => new SegmentMembership
            {
                SegmentId = segmentId,
                CustomerId = customerId,
                EnteredOnUtc = nowUtc
            });

        return (entered, 0);
    }

    /// <summary>
    /// Re-evaluates one customer (an event) in the segments, in dependency order. What the customer should be is
    /// decided first, without a rule's full query: a rule whose order statistics, RFM, period purchase or product
    /// purchase conditions decide (see <see cref="ISegmentRuleQueryBuilder.BuildOrderFiguresDecision"/>) is evaluated in memory from the
    /// customer's figures (as the refresh left them); the other rules' conditions are read in one statement, with the
    /// customer's eligibility and current memberships unless this run read them already (an order's refresh reads them
    /// with his statistics rows), and no statement at all where nothing is left to read. A segment where the customer is
    /// as decided is left alone; the others get the decision written, all in one transaction (see
    /// <see cref="WriteDecisionsAsync"/>). Segments that reference
    /// other segments (written in this run) are applied with their full query after those (see <see cref="ApplyAsync"/>),
    /// as are segments whose rules do not validate (so that they are reported).
    /// </summary>
    /// <param name="segments">The segments to re-evaluate, ordered by dependency</param>
    /// <param name="dependencies">The dependencies of the segments' rules</param>
    /// <param name="customerId">The customer</param>
    /// <param name="figures">The customer's statistics rows (and purchases of periods and of products named) when the refresh of this run read them; his statistics rows are read here when needed otherwise</param>
    /// <param name="nowUtc">The moment of the run</param>
    /// <param name="standing">The customer's eligibility and memberships when this run read them (see <see cref="StandingOf"/>); read here otherwise</param>
    protected virtual async Task<IList<SegmentRebuildResult>> ReevaluateCustomerAsync(IList<Segment> segments,
        IDictionary<int, SegmentRuleDependencies> dependencies, int customerId, CustomerOrderFigures figures, DateTime nowUtc,
        CustomerStanding standing = null)
    {
        int[] ids = [customerId];
        var inMemory = new Dictionary<int, bool>();
        var checks = new List<IQueryable<SegmentCustomer>>();
        var checkedIds = new HashSet<int>();
        foreach (var segment in segments)
        {
            if (!dependencies.TryGetValue(segment.Id, out var dependency) || dependency.ReferencedSegmentIds.Count > 0)
                continue;

            SegmentRule rule;
            try
            {
                rule = await GetValidRuleAsync(segment);
            }
            catch (SegmentRuleValidationException)
            {
                //applied (and reported) as usual
                continue;
            }

            var segmentId = segment.Id;
            var decide = _segmentRuleQueryBuilder.BuildOrderFiguresDecision(rule, segment.StoreId, nowUtc);
            if (decide != null)
            {
                //the statistics rows when the rule tests them (a period read only with an order's day is left to the query)
                if (figures == null && _segmentRuleAnalyzer.ReadsAnyOf(rule, OrderFigureFields.OrderStatisticsFields))
                    figures = new CustomerOrderFigures(await _orderStatisticsService.GetCustomerStatisticsAsync(customerId));
                if (decide(figures) is { } matches)
                {
                    inMemory[segmentId] = matches;
                    continue;
                }
            }

            var conditions = await _segmentRuleQueryBuilder.BuildConditionsCustomerIdsQueryAsync(rule, segment.StoreId, nowUtc);
            checks.Add(MatchesOf(segmentId, conditions, ids));
            checkedIds.Add(segmentId);
        }

        var decided = new Dictionary<int, bool>();
        var members = standing?.MemberOf.ToHashSet() ?? [];
        if (inMemory.Count + checks.Count > 0)
        {
            //one statement: the segments whose conditions he matches, with his standing (eligible or not, his current
            //memberships) unless this run read it already; none when nothing is left
            if (standing == null)
                checks = [StandingOf(await EligibleCustomersAsync(nowUtc), ids), .. checks];

            var rows = checks.Count > 0 ? await checks.Aggregate(Queryable.Concat).ToListAsync() : [];

            var isEligible = standing?.Eligible ?? rows.Any(row => !row.Member && row.SegmentId == 0);
            members.UnionWith(rows.Where(row => row.Member).Select(row => row.SegmentId));
            var matched = rows.Where(row => !row.Member && row.SegmentId != 0).Select(row => row.SegmentId).ToHashSet();
            foreach (var segmentId in checkedIds)
                decided[segmentId] = isEligible && matched.Contains(segmentId);
            foreach (var (segmentId, matches) in inMemory)
                decided[segmentId] = isEligible && matches;
        }

        //the segments decided reference no other segment: their changes are written first, in one transaction
        var changes = segments
            .Where(segment => decided.TryGetValue(segment.Id, out var member) && member != members.Contains(segment.Id))
            .ToDictionary(segment => segment.Id, segment => decided[segment.Id]);
        IDictionary<int, SegmentRebuildResult> written = new Dictionary<int, SegmentRebuildResult>();
        try
        {
            if (changes.Count > 0)
                written = await WriteDecisionsAsync(changes, customerId, nowUtc);
        }
        catch (Exception exception)
        {
            written = changes.Keys.ToDictionary(segmentId => segmentId, segmentId => new SegmentRebuildResult(segmentId, 0, 0, Failed: true));
            //rolled back (one transaction): reported once, the next rebuild completes the segments; the others go on
            var names = string.Join(", ", segments.Where(segment => changes.ContainsKey(segment.Id)).Select(segment => $"'{segment.Name}' (id {segment.Id})"));
            await _logger.ErrorAsync($"Customer segments: writing the membership of customer {customerId} in segments {names} failed; the next rebuild completes them", exception);
        }

        return await RunEachAsync(segments, async segment =>
        {
            if (!decided.ContainsKey(segment.Id))
                return await ApplyAsync(segment, await GetValidRuleAsync(segment), ids, nowUtc);

            return written.TryGetValue(segment.Id, out var result) ? result : new SegmentRebuildResult(segment.Id, 0, 0);
        });
    }

    /// <summary>
    /// Writes what the customer should be in the segments (decided before, see <see cref="ReevaluateCustomerAsync"/>)
    /// in one transaction that locks the segments' rows in id order (see <see cref="ISegmentMembershipTransaction"/>):
    /// per segment the guarded statement of <see cref="WriteMembershipAsync"/>, so that a writer of a segment running
    /// meanwhile cannot open a second stay, and a failure leaves every segment as it was
    /// </summary>
    /// <param name="changes">Per segment id, whether the customer is to be a member</param>
    /// <param name="customerId">The customer</param>
    /// <param name="nowUtc">The moment of the run (the stays are stamped with <see cref="WriteMoment"/>)</param>
    protected virtual async Task<IDictionary<int, SegmentRebuildResult>> WriteDecisionsAsync(IDictionary<int, bool> changes, int customerId, DateTime nowUtc)
    {
        var segmentIds = changes.Keys.Order().ToList();
        var results = new Dictionary<int, SegmentRebuildResult>();
        try
        {
            await _segmentMembershipTransaction.RunAsync(segmentIds[0], segmentIds.Skip(1), async () =>
            {
                results.Clear();
                var writtenOnUtc = WriteMoment();
                foreach (var segmentId in segmentIds)
                {
                    var (entered, left) = await WriteMembershipAsync(segmentId, customerId, changes[segmentId], writtenOnUtc);
                    results[segmentId] = new SegmentRebuildResult(segmentId, entered, left);
                }

                return results.Count;
            });
        }
        finally
        {
            //also after a failure (rolled back, or on an engine without transactions, half done): dropping the cache is always safe
            if (results.Values.Any(result => result.Entered + result.Left > 0))
                await _segmentCacheInvalidator.CustomersMembershipChangedAsync([customerId]);
        }

        return results;
    }

    /// <summary>
    /// For a few customers and several segments, one query tells which segments each customer matches; segments
    /// whose current members among the customers are exactly those are left out of the two statements per segment.
    /// Segments that reference other segments (whose membership may change in this run) are always applied, as are
    /// segments whose rules do not validate (so that they are reported). The query tests each rule's conditions and,
    /// once for all rules, the eligibility every rule applies (as an empty rule, with segment id 0): a fraction of
    /// the work of the rules' full queries, for linq2db as for the database's planner.
    /// </summary>
    /// <returns>The ids of the segments whose membership of these customers is already right</returns>
    protected virtual async Task<ISet<int>> FindUnchangedAsync(IList<Segment> segments, IDictionary<int, SegmentRuleDependencies> dependencies,
        IList<int> customerIds, DateTime nowUtc)
    {
        var unchanged = new HashSet<int>();
        if (customerIds.Count > PrecheckCustomerLimit)
            return unchanged;

        var candidates = segments
            .Where(segment => dependencies.TryGetValue(segment.Id, out var dependency) && dependency.ReferencedSegmentIds.Count == 0)
            .ToList();
        if (candidates.Count < 2)
            return unchanged;

        var ids = customerIds.ToArray();
        var checkable = new List<(Segment Segment, IQueryable<SegmentCustomer> Matches)>();
        foreach (var segment in candidates)
        {
            try
            {
                var rule = await GetValidRuleAsync(segment);
                var segmentId = segment.Id;
                var matching = await _segmentRuleQueryBuilder.BuildConditionsCustomerIdsQueryAsync(rule, segment.StoreId, nowUtc);
                checkable.Add((segment, MatchesOf(segmentId, matching, ids)));
            }
            catch (SegmentRuleValidationException)
            {
                //applied (and reported) as usual
            }
        }

        if (checkable.Count < 2)
            return unchanged;

        //one statement: the eligible customers (segment 0) and the current members, the customers each rule's conditions match
        var rows = await checkable.Select(item => item.Matches).Prepend(StandingOf(await EligibleCustomersAsync(nowUtc), ids)).Aggregate(Queryable.Concat).ToListAsync();
        var eligibleIds = rows.Where(row => row.SegmentId == 0 && !row.Member).Select(row => row.CustomerId).ToHashSet();
        var segmentIds = checkable.Select(item => item.Segment.Id).ToHashSet();
        var matches = rows
            .Where(row => !row.Member && row.SegmentId != 0 && eligibleIds.Contains(row.CustomerId))
            .Select(match => (match.SegmentId, match.CustomerId))
            .ToHashSet();
        var members = rows
            .Where(row => row.Member && segmentIds.Contains(row.SegmentId))
            .Select(member => (member.SegmentId, member.CustomerId))
            .ToHashSet();

        foreach (var segmentId in segmentIds)
        {
            if (matches.Where(match => match.SegmentId == segmentId).ToHashSet().SetEquals(members.Where(member => member.SegmentId == segmentId)))
                unchanged.Add(segmentId);
        }

        return unchanged;
    }

    /// <summary>
    /// The customers among the ids; one id is compared as a parameter, so that linq2db reuses the statement's SQL
    /// (a list is written into the SQL, which is then built again for every execution)
    /// </summary>
    protected static IQueryable<int> OfCustomers(IQueryable<int> customerIds, int[] ids) =>
        ids is [var single]
            ? customerIds.Where(customerId => customerId == single)
            : customerIds.Where(customerId => ids.Contains(customerId));

    /// <summary>
    /// Re-evaluates customers after a change of the data given (see <see cref="ReevaluateCustomersAsync"/>)
    /// </summary>
    /// <param name="customerIds">The customers</param>
    /// <param name="changed">The data changed</param>
    /// <param name="changedOrder">The one order that changed (not its items), when the change is known that precisely</param>
    protected virtual async Task<IList<SegmentRebuildResult>> ReevaluateAsync(IList<int> customerIds, RuleDataSources changed, Order changedOrder)
    {
        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        if (ids.Count == 0 || changed == RuleDataSources.None)
            return [];

        //the decision is made before it is written: one customer's events in this process take turns, so that the later
        //reads what the earlier wrote (a decision of another process is corrected by the next event or full rebuild)
        using var turn = ids is [var only] ? await _customerReevaluationLock.EnterAsync(only) : null;

        var (segments, rules, dependencies) = await LoadCachedActiveDynamicSegmentsAsync();
        var nowUtc = DateTime.UtcNow;

        //an order changes the customer's statistics, but not RFM scores (ranked among all buyers by the scheduled rebuild);
        //the refresh tells whether it wrote anything: when not, segments that read the orders only through them stay as they are
        var ordersChanged = changed.HasFlag(RuleDataSources.Orders);
        bool readsStatistics(Segment segment) => rules.TryGetValue(segment.Id, out var rule) && ReadsOrderStatisticsBesidesRfm(rule);
        //current statistics are kept so whichever segments exist now: a segment added later reads them without a recompute
        var statisticsChanged = false;
        CustomerOrderFigures figures = null;
        //the rules read the purchases per day and the products bought from the plugin's tables only while those are current
        var purchaseFiguresCurrent = _orderStatisticsService.AreCurrent();
        var keptFields = purchaseFiguresCurrent ? OrderFigureFields.KeptOrderFields : OrderFigureFields.OrderStatisticsFields;
        var (daysChanged, productsChanged) = (true, true);
        //what the customers are now: read with the statistics of an order's customer, or below when their eligibility may have changed
        IDictionary<int, CustomerStanding> standings = null;
        if (ordersChanged && (purchaseFiguresCurrent || segments.Any(readsStatistics)))
        {
            if (ids is [var single])
            {
                //the purchases of the periods the rules test are read with the order's day, and those of the products,
                //categories and manufacturers they name with the order's products, to decide them in memory; his
                //eligibility and memberships with his statistics rows, so that no statement follows the refreshes
                //where his figures decide
                var refresh = changedOrder?.CustomerId == single
                    ? await _orderStatisticsService.RefreshOrderCustomerAsync(changedOrder, nowUtc,
                        purchaseFiguresCurrent ? DecisionPeriodStarts(rules.Values, nowUtc) : null,
                        purchaseFiguresCurrent ? DecisionPurchaseNames(rules.Values) : null,
                        segments.Count > 0 ? StandingOf(await EligibleCustomersAsync(nowUtc), [single]) : null)
                    : await _orderStatisticsService.RefreshCustomerAsync(single, nowUtc);
                if (refresh.SegmentCustomers != null)
                    standings = StandingsOf(refresh.SegmentCustomers, ids, segments);
                statisticsChanged = refresh.Written;
                figures = new CustomerOrderFigures(refresh.Rows, refresh.PurchasesOfPeriods, refresh.NamedPurchases);
                (daysChanged, productsChanged) = (refresh.PurchasesPerDayWritten, refresh.PurchasedProductsWritten);
            }
            else
                statisticsChanged = await _orderStatisticsService.RefreshCustomersAsync(ids, nowUtc);
        }

        //whole customers (not one order's event) are decided in the segments on their orders whether the figures moved or
        //not: this may be the retry of a re-evaluation whose figures were written and whose memberships were not
        if (changedOrder == null)
            (statisticsChanged, daysChanged, productsChanged) = (true, true, true);

        //a segment reads figures that changed, or orders the plugin keeps no figures of
        bool readsChangedOrders(SegmentRule rule) => _segmentRuleAnalyzer.ReadsOrdersBesides(rule, keptFields)
            || statisticsChanged && ReadsOrderStatisticsBesidesRfm(rule)
            || purchaseFiguresCurrent && (daysChanged && _segmentRuleAnalyzer.ReadsAnyOf(rule, OrderFigureFields.DailyPurchasesFields)
                || productsChanged && _segmentRuleAnalyzer.ReadsAnyOf(rule, OrderFigureFields.PurchasedProductFields));

        var affected = segments
            .Where(segment => !dependencies.TryGetValue(segment.Id, out var dependency)
                || (dependency.Sources & changed & ~RuleDataSources.Orders) != 0
                || ordersChanged && readsChangedOrders(rules[segment.Id]))
            .Select(segment => segment.Id)
            .ToHashSet();

        //segments that do not read the changed data, for the customers whose eligibility may have changed
        var eligibilityChanges = new Dictionary<int, List<int>>();
        if ((changed & EligibilitySources) != 0)
        {
            standings ??= await ReadStandingsAsync(ids, segments, nowUtc);
            eligibilityChanges = GetEligibilityChanges(standings, segments);
        }

        standings ??= new Dictionary<int, CustomerStanding>();
        ids = ids.Where(id => !standings.TryGetValue(id, out var standing) || !standing.OutOfReach).ToList();
        if (ids.Count == 0)
            return [];

        var dependents = _segmentRuleAnalyzer.GetDependents(affected.Concat(eligibilityChanges.Keys).ToHashSet(), dependencies);
        affected.UnionWith(dependents);

        IList<int> customersOf(Segment segment) => affected.Contains(segment.Id) ? ids : eligibilityChanges[segment.Id];

        var selected = segments.Where(segment => affected.Contains(segment.Id) || eligibilityChanges.ContainsKey(segment.Id)).ToList();
        if (selected.Count == 0)
            return [];

        var ordered = _segmentRuleAnalyzer.OrderByDependency(selected, dependencies);
        if (ids is [var customerId])
            return await ReevaluateCustomerAsync(ordered, dependencies, customerId, figures, nowUtc, standings.TryGetValue(customerId, out var standing) ? standing : null);

        var unchanged = await FindUnchangedAsync(ordered, dependencies, ids, nowUtc);

        return await RunEachAsync(ordered, async segment =>
        {
            if (unchanged.Contains(segment.Id))
                return new SegmentRebuildResult(segment.Id, 0, 0);

            var rule = await GetValidRuleAsync(segment);
            return await ApplyAsync(segment, rule, customersOf(segment), nowUtc);
        });
    }

    #endregion

    #region Methods

    public virtual Task<IList<SegmentRebuildResult>> ReevaluateCustomersAsync(IList<int> customerIds, RuleDataSources changed) =>
        ReevaluateAsync(customerIds, changed, null);

    public virtual Task<IList<SegmentRebuildResult>> ReevaluateOrderCustomerAsync(Order order) =>
        order == null ? Task.FromResult<IList<SegmentRebuildResult>>([]) : ReevaluateAsync([order.CustomerId], RuleDataSources.Orders, order);

    #endregion
}


/// <summary>
/// What a re-evaluation read of a customer: whether any segment can have him, and the active dynamic segments he is in
/// </summary>
public record CustomerStanding(bool Eligible, IReadOnlySet<int> MemberOf)
{
    /// <summary>
    /// Whether no segment has him nor can have him (most are guests): no rule can move him, so nothing is evaluated
    /// </summary>
    public bool OutOfReach => !Eligible && MemberOf.Count == 0;
}

/// <summary>
/// A customer matching (or being a member of) a segment
/// </summary>
public class SegmentCustomer
{
    public int SegmentId { get; set; }

    public int CustomerId { get; set; }

    /// <summary>
    /// Whether the row is a current membership rather than a match
    /// </summary>
    public bool Member { get; set; }
}

