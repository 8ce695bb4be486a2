using System.Text.Json;

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
        AllowOutOfOrderMetadataProperties = true
    };

    public virtual RuleParseResult Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return Failure(RuleErrorKeys.JsonEmpty);

        if (json.Length > RuleValueLimits.MaxJsonLength)
            return Failure(RuleErrorKeys.JsonTooLarge, RuleValueLimits.MaxJsonLength / 1024);

        SegmentRule rule;
        try
        {
            rule = JsonSerializer.Deserialize<SegmentRule>(json, _options);
        }
        catch (JsonException exception) when (exception.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            return Failure(RuleErrorKeys.TooDeep, RuleValueLimits.MaxDepth);
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
            RuleErrorKeys.EnglishMessage(key, [RuleErrorKeys.EnglishMessage(RuleErrorKeys.RuleSubject), .. args]))]);
}
