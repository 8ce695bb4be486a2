using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Rebuilds dynamic segments. A full rebuild reads the eligible customers (not deleted, not system accounts, guests
/// only when the settings include them) once per run into memory, then per segment the customers its rule's
/// conditions match, keeps the eligible ones, compares them with the current members and writes only the
/// differences (see <see cref="RebuildOneAsync"/>). Customers re-evaluated after events get, per segment, an UPDATE
/// that closes the stays of those who no longer match and an INSERT ... SELECT that opens stays for those who match
/// and are not members (see <see cref="ApplyAsync"/>); one customer (an event) is decided first, mostly in memory
/// from his order statistics, and only the changes are written (see <see cref="ReevaluateCustomerAsync"/>). Either
/// way only what differs changes, and running again after a failure completes the rebuild.
/// </summary>
public class SegmentRebuildService : ISegmentRebuildService
{
    /// <summary>
    /// Customer ids per statement when re-evaluating a list of customers
    /// </summary>
    public const int CustomerBatchSize = 500;

    /// <summary>
    /// Up to this many customers, re-evaluation first checks in one query which segments change at all
    /// </summary>
    public const int PrecheckCustomerLimit = 20;

    /// <summary>
    /// Up to this many newcomers of a segment in a full rebuild, their eligibility is read again before they join
    /// </summary>
    public const int RecheckedNewcomerLimit = 5000;

    /// <summary>
    /// Data whose change can take a customer in or out of any segment: the eligibility every rule query applies
    /// (deleted, system account, guest) reads the customer and their roles (see <see cref="GetEligibilityChangesAsync"/>)
    /// </summary>
    public const RuleDataSources EligibilitySources = RuleDataSources.Customer | RuleDataSources.CustomerRoles;

    /// <summary>
    /// Fields whose conditions read the plugin's order statistics instead of the orders
    /// </summary>
    public static readonly IReadOnlySet<string> OrderStatisticsFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.OrderCount, RuleFields.TotalSpent, RuleFields.AverageOrderValue, RuleFields.FirstOrderDate,
        RuleFields.LastOrderDate, RuleFields.DaysSinceLastOrder, RuleFields.RefundedOrderCount, RuleFields.CancelledOrderCount,
        RuleFields.RfmRecency, RuleFields.RfmFrequency, RuleFields.RfmMonetary, RuleFields.RfmGroup
    };

    /// <summary>
    /// The RFM fields: their scores are relative to all buying customers
    /// </summary>
    public static readonly IReadOnlySet<string> RfmFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.RfmRecency, RuleFields.RfmFrequency, RuleFields.RfmMonetary, RuleFields.RfmGroup
    };

    /// <summary>
    /// The fields read from the purchases per customer and day (kept with the order statistics) when those are current
    /// </summary>
    public static readonly IReadOnlySet<string> DailyPurchasesFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.OrderCountInPeriod, RuleFields.SpentInPeriod
    };

    /// <summary>
    /// The fields read from the products bought per customer (kept with the order statistics) when those are current
    /// </summary>
    public static readonly IReadOnlySet<string> PurchasedProductFields = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleFields.BoughtProducts, RuleFields.BoughtCategories, RuleFields.BoughtManufacturers
    };

    /// <summary>
    /// The fields whose figures the plugin keeps from the orders: statistics, purchases per day, products bought
    /// </summary>
    public static readonly IReadOnlySet<string> KeptOrderFields =
        OrderStatisticsFields.Concat(DailyPurchasesFields).Concat(PurchasedProductFields).ToHashSet(StringComparer.Ordinal);

    protected readonly ILogger _logger;
    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly ISegmentCacheInvalidator _segmentCacheInvalidator;
    protected readonly ISegmentRuleQueryBuilder _segmentRuleQueryBuilder;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;
    protected readonly SegmentRuleAnalyzer _segmentRuleAnalyzer;
    protected readonly ICustomerOrderStatisticsService _orderStatisticsService;
    protected readonly ISegmentMembershipTransaction _segmentMembershipTransaction;
    protected readonly IActiveSegmentReader _activeSegmentReader;
    protected readonly ISegmentMembershipSynchronizer _segmentMembershipSynchronizer;
    protected readonly ICustomerReevaluationLock _customerReevaluationLock;

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
        IActiveSegmentReader activeSegmentReader,
        ISegmentMembershipSynchronizer segmentMembershipSynchronizer,
        ICustomerReevaluationLock customerReevaluationLock)
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
        _orderStatisticsService = orderStatisticsService;
        _segmentMembershipTransaction = segmentMembershipTransaction;
        _activeSegmentReader = activeSegmentReader;
        _segmentMembershipSynchronizer = segmentMembershipSynchronizer;
        _customerReevaluationLock = customerReevaluationLock;
    }

    #region Utilities

    protected virtual Task<IQueryable<int>> BuildMatchingAsync(Segment segment, SegmentRule rule, DateTime nowUtc) =>
        _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(rule, segment.StoreId, nowUtc);

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
    /// The rules of the segments that parse, and their dependencies, by segment id
    /// </summary>
    protected virtual (IDictionary<int, SegmentRule> Rules, IDictionary<int, SegmentRuleDependencies> Dependencies) ParseRules(IEnumerable<Segment> segments)
    {
        var rules = new Dictionary<int, SegmentRule>();
        var dependencies = new Dictionary<int, SegmentRuleDependencies>();
        foreach (var segment in segments)
        {
            var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
            if (!parsed.Success)
                continue;

            rules[segment.Id] = parsed.Rule;
            dependencies[segment.Id] = _segmentRuleAnalyzer.GetDependencies(parsed.Rule);
        }

        return (rules, dependencies);
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

        return (segments, ParseRules(segments).Dependencies);
    }

    /// <summary>
    /// Whether a condition of the segment's rule tests one of the fields (a rule that does not parse is reported when rebuilt)
    /// </summary>
    protected virtual bool ReadsAnyOf(Segment segment, IReadOnlySet<string> fields)
    {
        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
        return parsed.Success && Conditions(parsed.Rule.Root).Any(condition => fields.Contains(condition.Field ?? string.Empty));
    }

    protected virtual bool ReadsOrderStatistics(Segment segment) => ReadsAnyOf(segment, OrderStatisticsFields);

    protected virtual bool ReadsRfm(Segment segment) => ReadsAnyOf(segment, RfmFields);

    protected virtual bool ReadsDailyPurchases(Segment segment) => ReadsAnyOf(segment, DailyPurchasesFields);

    private static RuleGroup Without(RuleGroup group, IReadOnlySet<string> fields) => group == null ? null : new RuleGroup
    {
        Match = group.Match,
        Negate = group.Negate,
        Children = (group.Children ?? [])
            .Where(child => child is not RuleCondition condition || !fields.Contains(condition.Field ?? string.Empty))
            .Select(child => child is RuleGroup inner ? Without(inner, fields) : child)
            .ToList()
    };

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
    /// Whether the rule reads the orders other than through the fields given (whose figures the plugin keeps)
    /// </summary>
    protected virtual bool ReadsOrdersBesides(SegmentRule rule, IReadOnlySet<string> keptFields) =>
        (_segmentRuleAnalyzer.GetDependencies(new SegmentRule { Root = Without(rule.Root, keptFields) }).Sources & RuleDataSources.Orders) != 0;

    /// <summary>
    /// Whether a condition of the rule tests one of the fields
    /// </summary>
    protected static bool ReadsAnyOf(SegmentRule rule, IReadOnlySet<string> fields) =>
        Conditions(rule.Root).Any(condition => fields.Contains(condition.Field ?? string.Empty));

    /// <summary>
    /// Whether a condition of the rule reads the order statistics that a customer's refresh writes (RFM scores aside)
    /// </summary>
    protected virtual bool ReadsOrderStatisticsBesidesRfm(SegmentRule rule) =>
        Conditions(rule.Root).Any(condition => OrderStatisticsFields.Contains(condition.Field ?? string.Empty) && !RfmFields.Contains(condition.Field ?? string.Empty));

    private static IEnumerable<RuleCondition> Conditions(RuleNode node) => node switch
    {
        RuleCondition condition => [condition],
        RuleGroup group => (group.Children ?? []).SelectMany(Conditions),
        _ => []
    };

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
    /// The segments to re-evaluate, beyond those that read the changed data, when a customer's eligibility may have
    /// changed (every rule applies it: not deleted, not a system account, not a guest). The event does not say what
    /// the customer was before, the memberships do: a customer who is in a segment was eligible. So a customer who
    /// is not eligible now leaves the segments he is in; an eligible customer in no segment may have just become
    /// eligible and is evaluated in every segment; an eligible member stays eligible and needs nothing more. A
    /// customer who is not eligible and in no segment is one no rule can move (most are guests): the event needs
    /// nothing for him. One statement per batch reads both.
    /// </summary>
    /// <returns>The customers to re-evaluate, by segment id; the customers no segment has or can have; what was read of each customer</returns>
    protected virtual async Task<(Dictionary<int, List<int>> Changes, ISet<int> OutOfReach, IDictionary<int, CustomerStanding> Standings)> GetEligibilityChangesAsync(
        IList<int> customerIds, IList<Segment> segments, DateTime nowUtc)
    {
        var changes = new Dictionary<int, List<int>>();
        var outOfReach = new HashSet<int>();
        var standings = new Dictionary<int, CustomerStanding>();
        if (segments.Count == 0)
            return (changes, outOfReach, standings);

        var segmentIds = segments.Select(segment => segment.Id).ToList();
        var eligibleCustomers = await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(new SegmentRule(), 0, nowUtc);
        foreach (var batch in customerIds.Chunk(CustomerBatchSize))
        {
            //one statement: the eligible customers among them (segment 0), their current memberships
            var rows = await MatchesOf(0, eligibleCustomers, batch).Concat(CurrentMembershipsOf(batch)).ToListAsync();
            var eligible = rows.Where(row => !row.Member).Select(row => row.CustomerId).ToHashSet();
            var segmentsOfCustomer = rows
                .Where(row => row.Member && segmentIds.Contains(row.SegmentId))
                .ToLookup(row => row.CustomerId, row => row.SegmentId);

            foreach (var customerId in batch)
            {
                var memberOf = segmentsOfCustomer[customerId].ToList();
                standings[customerId] = new CustomerStanding(eligible.Contains(customerId), memberOf.ToHashSet());
                if (!eligible.Contains(customerId) && memberOf.Count == 0)
                {
                    outOfReach.Add(customerId);
                    continue;
                }

                var concerned = !eligible.Contains(customerId) ? memberOf : memberOf.Count == 0 ? segmentIds : [];
                foreach (var segmentId in concerned)
                {
                    if (!changes.TryGetValue(segmentId, out var customers))
                        changes[segmentId] = customers = [];
                    customers.Add(customerId);
                }
            }
        }

        return (changes, outOfReach, standings);
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
        var current = _membershipRepository.Table.Where(membership => membership.LeftOnUtc == null);
        current = customerIds is [var single]
            ? current.Where(membership => membership.CustomerId == single)
            : current.Where(membership => customerIds.Contains(membership.CustomerId));

        return current.Select(membership => new SegmentCustomer { SegmentId = membership.SegmentId, CustomerId = membership.CustomerId, Member = true });
    }

    /// <summary>
    /// Brings the segment's membership of the given customers in line with its rule (a full rebuild is
    /// <see cref="ApplyAllAsync"/>). All statements of the segment run in one transaction (see
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

                    var leaving = Current(segmentId).Where(membership => batch.Contains(membership.CustomerId));
                    var candidates = matching.Where(customerId => batch.Contains(customerId));

                    left += await leaving
                        .Where(membership => !candidates.Any(customerId => customerId == membership.CustomerId))
                        .Set(membership => membership.LeftOnUtc, (DateTime?)writtenOnUtc)
                        .UpdateAsync();

                    var current = Current(segmentId);
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
    /// The time stays are opened and closed at: taken inside the segment's transaction, once its lock is held, so that
    /// a writer that waited for another stamps a later time than it, and a stay never ends before it began (the moment
    /// a run started, which its rules are evaluated at, may be earlier than another writer's stamp)
    /// </summary>
    protected virtual DateTime WriteMoment() => DateTime.UtcNow;

    /// <summary>
    /// Closes the customer's open stay in the segment, or opens one when none is open: one guarded statement each,
    /// so that running it again, or after another writer, changes nothing more
    /// </summary>
    /// <returns>How many stays were opened and closed</returns>
    protected virtual async Task<(int Entered, int Left)> WriteMembershipAsync(int segmentId, int customerId, bool member, DateTime nowUtc)
    {
        var current = Current(segmentId).Where(membership => membership.CustomerId == customerId);
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
    /// decided first, without a rule's full query: a rule whose order statistics or RFM conditions decide (see
    /// <see cref="ISegmentRuleQueryBuilder.BuildStatisticsDecision"/>) is evaluated in memory from the customer's
    /// statistics rows (as the refresh left them); the other rules' conditions, the customer's eligibility and current
    /// memberships are read in one statement. A segment where the customer is as decided is left alone; the others
    /// get the decision written, all in one transaction (see <see cref="WriteDecisionsAsync"/>). Segments that reference
    /// other segments (written in this run) are applied with their full query after those (see <see cref="ApplyAsync"/>),
    /// as are segments whose rules do not validate (so that they are reported).
    /// </summary>
    /// <param name="segments">The segments to re-evaluate, ordered by dependency</param>
    /// <param name="dependencies">The dependencies of the segments' rules</param>
    /// <param name="customerId">The customer</param>
    /// <param name="statistics">The customer's statistics rows when the refresh of this run read them; read here when needed otherwise</param>
    /// <param name="nowUtc">The moment of the run</param>
    /// <param name="standing">The customer's eligibility and memberships when this run read them (see <see cref="GetEligibilityChangesAsync"/>); read here otherwise</param>
    protected virtual async Task<IList<SegmentRebuildResult>> ReevaluateCustomerAsync(IList<Segment> segments,
        IDictionary<int, SegmentRuleDependencies> dependencies, int customerId, IReadOnlyList<CustomerOrderStatistics> statistics, DateTime nowUtc,
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
            var decide = _segmentRuleQueryBuilder.BuildStatisticsDecision(rule, segment.StoreId, nowUtc);
            if (decide != null)
            {
                statistics ??= await _orderStatisticsService.GetCustomerStatisticsAsync(customerId);
                if (decide(statistics) is { } matches)
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
            //one statement: the customer if eligible (segment 0), the segments whose conditions he matches, his current
            //memberships; without the first and the last when this run read them already, none when nothing is left
            if (standing == null)
            {
                var eligible = MatchesOf(0, await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(new SegmentRule(), 0, nowUtc), ids);
                checks = [eligible, .. checks, CurrentMembershipsOf(ids)];
            }

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

        var eligible = MatchesOf(0, await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(new SegmentRule(), 0, nowUtc), ids);

        //one statement: the eligible customers (segment 0), the customers each rule's conditions match, the current members
        var rows = await checkable.Select(item => item.Matches).Prepend(eligible).Append(CurrentMembershipsOf(ids)).Aggregate(Queryable.Concat).ToListAsync();
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
                results.Add(new SegmentRebuildResult(segment.Id, 0, 0, Failed: true));
            }
        }

        return results;
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
            var stayIds = await _membershipRepository.Table
                .Where(membership => membership.LeftOnUtc == null && staticSegmentIds.Contains(membership.SegmentId)
                    && !remainingCustomers.Any(customer => customer.Id == membership.CustomerId))
                .Select(membership => membership.Id)
                .ToListAsync();
            if (stayIds.Count == 0)
                return;

            var closed = 0;
            foreach (var batch in stayIds.Chunk(CustomerBatchSize))
            {
                closed += await _membershipRepository.Table
                    .Where(membership => batch.Contains(membership.Id) && membership.LeftOnUtc == null)
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
        IReadOnlyList<CustomerOrderStatistics> statistics = null;
        //the rules read the purchases per day and the products bought from the plugin's tables only while those are current
        var purchaseFiguresCurrent = _orderStatisticsService.AreCurrent();
        var keptFields = purchaseFiguresCurrent ? KeptOrderFields : OrderStatisticsFields;
        var (daysChanged, productsChanged) = (true, true);
        if (ordersChanged && (purchaseFiguresCurrent || segments.Any(readsStatistics)))
        {
            if (ids is [var single])
            {
                var refresh = changedOrder?.CustomerId == single
                    ? await _orderStatisticsService.RefreshOrderCustomerAsync(changedOrder, nowUtc)
                    : await _orderStatisticsService.RefreshCustomerAsync(single, nowUtc);
                (statisticsChanged, statistics) = refresh;
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
        bool readsChangedOrders(SegmentRule rule) => ReadsOrdersBesides(rule, keptFields)
            || statisticsChanged && ReadsOrderStatisticsBesidesRfm(rule)
            || purchaseFiguresCurrent && (daysChanged && ReadsAnyOf(rule, DailyPurchasesFields) || productsChanged && ReadsAnyOf(rule, PurchasedProductFields));

        var affected = segments
            .Where(segment => !dependencies.TryGetValue(segment.Id, out var dependency)
                || (dependency.Sources & changed & ~RuleDataSources.Orders) != 0
                || ordersChanged && readsChangedOrders(rules[segment.Id]))
            .Select(segment => segment.Id)
            .ToHashSet();

        //segments that do not read the changed data, for the customers whose eligibility may have changed
        var (eligibilityChanges, outOfReach, standings) = (changed & EligibilitySources) != 0
            ? await GetEligibilityChangesAsync(ids, segments, nowUtc)
            : ([], new HashSet<int>(), new Dictionary<int, CustomerStanding>());
        ids = ids.Where(id => !outOfReach.Contains(id)).ToList();
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
            return await ReevaluateCustomerAsync(ordered, dependencies, customerId, statistics, nowUtc, standings.TryGetValue(customerId, out var standing) ? standing : null);

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

    public virtual async Task<IList<SegmentRebuildResult>> RebuildSegmentsReadingAsync(RuleDataSources changed)
    {
        var nowUtc = DateTime.UtcNow;
        var (segments, dependencies) = await LoadActiveDynamicSegmentsAsync();
        var selectedIds = dependencies
            .Where(pair => (pair.Value.Sources & changed) != 0)
            .Select(pair => pair.Key)
            .ToHashSet();
        if (selectedIds.Count == 0)
            return [];

        selectedIds.UnionWith(_segmentRuleAnalyzer.GetDependents(selectedIds, dependencies));
        await RefreshOrderStatisticsAsync(segments.Where(segment => selectedIds.Contains(segment.Id)).ToList(), nowUtc);

        return await RebuildWithDependentsAsync(segments, dependencies, selectedIds, nowUtc);
    }

    public virtual Task<IList<SegmentRebuildResult>> ReevaluateCustomersAsync(IList<int> customerIds, RuleDataSources changed) =>
        ReevaluateAsync(customerIds, changed, null);

    public virtual Task<IList<SegmentRebuildResult>> ReevaluateOrderCustomerAsync(Order order) =>
        order == null ? Task.FromResult<IList<SegmentRebuildResult>>([]) : ReevaluateAsync([order.CustomerId], RuleDataSources.Orders, order);

    #endregion
}

/// <summary>
/// What a re-evaluation read of a customer: whether any segment can have him, and the active dynamic segments he is in
/// </summary>
public record CustomerStanding(bool Eligible, IReadOnlySet<int> MemberOf);

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
