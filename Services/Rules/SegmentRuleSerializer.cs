using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Reads and writes rule JSON with System.Text.Json; nodes are told apart by their "kind"
/// </summary>
public class SegmentRuleSerializer : ISegmentRuleSerializer
{
    private static readonly JsonSerializerOptions _options = new()
    {
        //the rule tree is at most RuleValueLimits.MaxDepth groups deep; each group adds two JSON levels
        MaxDepth = 2 * RuleValueLimits.MaxDepth + 8,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowOutOfOrderMetadataProperties = true,
        //read by HasUnknownProperties before any rule is read
        TypeInfoResolver = new DefaultJsonTypeInfoResolver()
    };

    public virtual RuleParseResult Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return Failure(RuleErrorKeys.JsonEmpty);

        if (json.Length > RuleValueLimits.MaxJsonLength)
            return Failure(RuleErrorKeys.JsonTooLarge, RuleValueLimits.MaxJsonLength / 1024);

        var depth = MeasureDepth(json);
        if (depth == null)
            return Failure(RuleErrorKeys.JsonMalformed);
        if (depth > _options.MaxDepth)
            return Failure(RuleErrorKeys.TooDeep, RuleValueLimits.MaxDepth);

        SegmentRule rule;
        try
        {
            //a misspelt property would be dropped and the rule saved with another meaning than the one sent
            if (HasUnknownProperties(json))
                return Failure(RuleErrorKeys.JsonMalformed);

            rule = JsonSerializer.Deserialize<SegmentRule>(json, _options);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            return Failure(RuleErrorKeys.JsonMalformed);
        }

        if (rule?.Root == null)
            return Failure(RuleErrorKeys.JsonMalformed);

        if (rule.Version < 1 || rule.Version > SegmentRule.CurrentSchemaVersion)
            return Failure(RuleErrorKeys.UnsupportedVersion, rule.Version);

        if (HasNullNodes(rule.Root))
            return Failure(RuleErrorKeys.JsonMalformed);

        return new RuleParseResult(rule, []);
    }

    public virtual string Serialize(SegmentRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return JsonSerializer.Serialize(rule, _options);
    }

    /// <summary>
    /// How deeply the JSON nests, or null when it is not well-formed JSON
    /// </summary>
    private static int? MeasureDepth(string json)
    {
        const int readerMaxDepth = 1000;
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = readerMaxDepth });
        var depth = 0;
        try
        {
            while (reader.Read())
                depth = Math.Max(depth, reader.CurrentDepth);
        }
        catch (JsonException)
        {
            return reader.CurrentDepth >= readerMaxDepth - 1 ? readerMaxDepth : null;
        }

        return depth;
    }

    /// <summary>
    /// Whether an object of the rule has a property its model does not read. The serializer's own check
    /// (UnmappedMemberHandling) takes the root group's "kind" for one when it comes after the group's other properties.
    /// </summary>
    private static bool HasUnknownProperties(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = _options.MaxDepth });
        var rule = document.RootElement;
        if (rule.ValueKind != JsonValueKind.Object)
            return false;

        return rule.EnumerateObject().Any(property => !IsPropertyOf<SegmentRule>(property.Name))
            || rule.TryGetProperty("root", out var root) && HasUnknownProperties(root);
    }

    private static bool HasUnknownProperties(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object)
            return false;

        var isCondition = node.TryGetProperty(Discriminator, out var kind) && kind.ValueKind == JsonValueKind.String && kind.ValueEquals("condition");
        foreach (var property in node.EnumerateObject())
        {
            if (property.Name == Discriminator)
                continue;
            if (!(isCondition ? IsPropertyOf<RuleCondition>(property.Name) : IsPropertyOf<RuleGroup>(property.Name)))
                return true;
            if (!isCondition && property.Name == "children" && property.Value.ValueKind == JsonValueKind.Array
                && property.Value.EnumerateArray().Any(HasUnknownProperties))
                return true;
        }

        return false;
    }

    private const string Discriminator = "kind";

    private static bool IsPropertyOf<T>(string name) =>
        ((JsonTypeInfo<T>)_options.GetTypeInfo(typeof(T))).Properties.Any(property => property.Name == name);

    private static bool HasNullNodes(RuleGroup group)
    {
        group.Children ??= [];
        foreach (var child in group.Children)
        {
            switch (child)
            {
                case null:
                    return true;
                case RuleGroup inner when HasNullNodes(inner):
                    return true;
                case RuleCondition condition:
                    condition.Values ??= [];
                    break;
            }
        }

        return false;
    }

    private static RuleParseResult Failure(string key, params object[] args) =>
        new(null, [new RuleValidationError(string.Empty, key,
            RuleErrorKeys.EnglishMessage(key, [RuleErrorKeys.EnglishMessage(RuleErrorKeys.RuleSubject), .. args]), args)]);
}
