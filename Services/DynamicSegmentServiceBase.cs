using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// What rebuilding dynamic segments (<see cref="SegmentRebuildService"/>) and re-evaluating customers after events
/// (<see cref="SegmentReevaluationService"/>) share: their services, the segments' rules parsed and validated, each
/// segment run with its failure logged, the moment stays are stamped with
/// </summary>
public abstract class DynamicSegmentServiceBase
{
    /// <summary>
    /// Customer ids per statement that lists them
    /// </summary>
    public const int CustomerBatchSize = 500;

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

    protected DynamicSegmentServiceBase(ILogger logger,
        INopDataProvider dataProvider,
        IRepository<Segment> segmentRepository,
        IRepository<SegmentMembership> membershipRepository,
        ISegmentCacheInvalidator segmentCacheInvalidator,
        ISegmentRuleQueryBuilder segmentRuleQueryBuilder,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentRuleValidator segmentRuleValidator,
        SegmentRuleAnalyzer segmentRuleAnalyzer,
        ICustomerOrderStatisticsService orderStatisticsService,
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
        _orderStatisticsService = orderStatisticsService;
        _segmentMembershipTransaction = segmentMembershipTransaction;
    }

    /// <summary>
    /// The segment's saved rule, parsed and validated as a saved rule (a store deleted since it was saved is no error)
    /// </summary>
    /// <exception cref="SegmentRuleValidationException"></exception>
    protected virtual async Task<SegmentRule> GetValidRuleAsync(Segment segment)
    {
        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
        if (!parsed.Success)
            throw new SegmentRuleValidationException(parsed.Errors);

        var errors = await _segmentRuleValidator.ValidateSavedAsync(parsed.Rule, segment.Id);
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
    /// The time stays are opened and closed at: taken inside the segment's transaction, once its lock is held, so that
    /// a writer that waited for another stamps a later time than it, and a stay never ends before it began (the moment
    /// a run started, which its rules are evaluated at, may be earlier than another writer's stamp)
    /// </summary>
    protected virtual DateTime WriteMoment() => DateTime.UtcNow;

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
}
