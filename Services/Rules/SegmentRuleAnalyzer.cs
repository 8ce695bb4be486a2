using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// What a segment's rule depends on: the kinds of data its fields read and the segments it references
/// </summary>
public record SegmentRuleDependencies(RuleDataSources Sources, IReadOnlySet<int> ReferencedSegmentIds);

/// <summary>
/// Reads the dependencies of rules and orders segments so that referenced segments come first
/// </summary>
public class SegmentRuleAnalyzer
{
    protected readonly IRuleFieldCatalog _ruleFieldCatalog;

    public SegmentRuleAnalyzer(IRuleFieldCatalog ruleFieldCatalog)
    {
        _ruleFieldCatalog = ruleFieldCatalog;
    }

    public virtual SegmentRuleDependencies GetDependencies(SegmentRule rule)
    {
        var sources = RuleDataSources.None;
        var referenced = new HashSet<int>();
        if (rule?.Root != null)
            Visit(rule.Root, ref sources, referenced);

        return new SegmentRuleDependencies(sources, referenced);
    }

    protected virtual void Visit(RuleNode node, ref RuleDataSources sources, HashSet<int> referenced)
    {
        switch (node)
        {
            case RuleGroup group:
                foreach (var child in group.Children ?? [])
                    Visit(child, ref sources, referenced);
                break;

            case RuleCondition condition:
                var field = _ruleFieldCatalog.GetField(condition.Field ?? string.Empty);
                if (field == null)
                {
                    //an unknown field could read anything
                    sources |= (RuleDataSources)~0;
                    break;
                }

                sources |= field.Sources;
                if (field.IsTimeDependent)
                    sources |= RuleDataSources.Clock;

                if (field.ValueSource == RuleValueSource.Segments || field.Sources.HasFlag(RuleDataSources.OtherSegments))
                {
                    foreach (var value in condition.Values ?? [])
                    {
                        if (TryGetId(value, out var id))
                            referenced.Add(id);
                    }
                }

                break;
        }
    }

    /// <summary>
    /// The stores the rule's conditions name (the store a customer registered in)
    /// </summary>
    public virtual IReadOnlySet<int> GetStoreIds(SegmentRule rule)
    {
        var ids = new HashSet<int>();
        foreach (var condition in Conditions(rule?.Root))
        {
            if (_ruleFieldCatalog.GetField(condition.Field ?? string.Empty)?.ValueSource != RuleValueSource.Stores)
                continue;

            foreach (var value in condition.Values ?? [])
            {
                if (TryGetId(value, out var id))
                    ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>
    /// Whether a condition of the rule tests one of the fields
    /// </summary>
    public virtual bool ReadsAnyOf(SegmentRule rule, IReadOnlySet<string> fields) =>
        Conditions(rule?.Root).Any(condition => fields.Contains(condition.Field ?? string.Empty));

    /// <summary>
    /// Whether the rule reads the orders other than through the fields given (whose figures the plugin keeps)
    /// </summary>
    public virtual bool ReadsOrdersBesides(SegmentRule rule, IReadOnlySet<string> keptFields) =>
        (GetDependencies(new SegmentRule { Root = Without(rule?.Root, keptFields) }).Sources & RuleDataSources.Orders) != 0;

    protected static IEnumerable<RuleCondition> Conditions(RuleNode node) => node switch
    {
        RuleCondition condition => [condition],
        RuleGroup group => (group.Children ?? []).SelectMany(Conditions),
        _ => []
    };

    /// <summary>
    /// The group with the conditions on the fields left out, at every depth
    /// </summary>
    protected static RuleGroup Without(RuleGroup group, IReadOnlySet<string> fields) => group == null ? null : new RuleGroup
    {
        Match = group.Match,
        Negate = group.Negate,
        Children = (group.Children ?? [])
            .Where(child => child is not RuleCondition condition || !fields.Contains(condition.Field ?? string.Empty))
            .Select(child => child is RuleGroup inner ? Without(inner, fields) : child)
            .ToList()
    };

    protected static bool TryGetId(JsonElement value, out int id)
    {
        id = 0;
        return value.ValueKind switch
        {
            //as the validator and the query read it: 3.0 is segment 3
            JsonValueKind.Number => RuleValues.TryGetInt(value, out id),
            JsonValueKind.String => RuleValues.TryGetString(value, out var text) && int.TryParse(text, out id),
            _ => false
        };
    }

    /// <summary>
    /// Orders the segments so that each comes after the segments of the list it references; segments caught
    /// in a cycle (which validation refuses) come last, in id order
    /// </summary>
    public virtual IList<Segment> OrderByDependency(IEnumerable<Segment> segments, IDictionary<int, SegmentRuleDependencies> dependencies)
    {
        var list = segments.OrderBy(segment => segment.Id).ToList();
        var ids = list.Select(segment => segment.Id).ToHashSet();
        var pending = list.ToDictionary(segment => segment.Id,
            segment => dependencies.TryGetValue(segment.Id, out var dependency)
                ? dependency.ReferencedSegmentIds.Where(id => ids.Contains(id) && id != segment.Id).ToHashSet()
                : new HashSet<int>());

        var ordered = new List<Segment>(list.Count);
        var done = new HashSet<int>();
        while (ordered.Count < list.Count)
        {
            var ready = list.Where(segment => !done.Contains(segment.Id) && pending[segment.Id].All(done.Contains)).ToList();
            if (ready.Count == 0)
            {
                ordered.AddRange(list.Where(segment => !done.Contains(segment.Id)));
                break;
            }

            foreach (var segment in ready)
            {
                ordered.Add(segment);
                done.Add(segment.Id);
            }
        }

        return ordered;
    }

    /// <summary>
    /// The ids of the segments that reference any of the given ones, directly or through others (not the given ones)
    /// </summary>
    public virtual ISet<int> GetDependents(IEnumerable<int> segmentIds, IDictionary<int, SegmentRuleDependencies> dependencies)
    {
        var found = new HashSet<int>();
        var queue = new Queue<int>(segmentIds);
        var start = queue.ToHashSet();
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            foreach (var (dependentId, dependency) in dependencies)
            {
                if (dependency.ReferencedSegmentIds.Contains(id) && !start.Contains(dependentId) && found.Add(dependentId))
                    queue.Enqueue(dependentId);
            }
        }

        return found;
    }
}
