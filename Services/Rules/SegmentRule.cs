using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// The rule of a dynamic segment: a tree of groups and conditions, stored as JSON in <c>Segment.RuleJson</c>
/// </summary>
public class SegmentRule
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("version")]
    public int Version { get; set; } = CurrentSchemaVersion;

    [JsonPropertyName("root")]
    public RuleGroup Root { get; set; } = new();
}

/// <summary>
/// A node of the rule tree
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(RuleGroup), "group")]
[JsonDerivedType(typeof(RuleCondition), "condition")]
public abstract class RuleNode
{
}

/// <summary>
/// A group of nodes that all (or any) must hold; negated with <see cref="Negate"/>
/// </summary>
public class RuleGroup : RuleNode
{
    [JsonPropertyName("match")]
    [JsonConverter(typeof(GroupMatchNameConverter))]
    public GroupMatch Match { get; set; } = GroupMatch.All;

    [JsonPropertyName("negate")]
    public bool Negate { get; set; }

    [JsonPropertyName("children")]
    public List<RuleNode> Children { get; set; } = [];
}

public enum GroupMatch
{
    All,
    Any
}

/// <summary>
/// Reads and writes <see cref="GroupMatch"/> by its name only: a number is no way of matching
/// </summary>
public class GroupMatchNameConverter : JsonStringEnumConverter<GroupMatch>
{
    public GroupMatchNameConverter() : base(allowIntegerValues: false)
    {
    }
}

/// <summary>
/// One test on a customer: <c>field · operator · values</c>
/// </summary>
public class RuleCondition : RuleNode
{
    /// <summary>
    /// Name of a field of the catalog, e.g. "orders.count"
    /// </summary>
    [JsonPropertyName("field")]
    public string Field { get; set; }

    /// <summary>
    /// Name of an operator the field allows, e.g. "gte" (see <see cref="RuleOperators"/>)
    /// </summary>
    [JsonPropertyName("operator")]
    public string Operator { get; set; }

    /// <summary>
    /// The operand(s): none for "isEmpty", one for "gte", two for "between", any number for "in"/"anyOf".
    /// Numbers, strings (dates as yyyy-MM-dd), booleans or ids, as the field's data type says.
    /// </summary>
    [JsonPropertyName("values")]
    public List<System.Text.Json.JsonElement> Values { get; set; } = [];

    /// <summary>
    /// For fields measured over a period (orders in a period, bought products within...): the last N days
    /// </summary>
    [JsonPropertyName("periodDays")]
    public int? PeriodDays { get; set; }

    /// <summary>
    /// For keyed fields: the generic attribute key, or the customer attribute id
    /// </summary>
    [JsonPropertyName("key")]
    public string Key { get; set; }
}
