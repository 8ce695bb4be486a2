namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Reads and writes rule JSON
/// </summary>
public interface ISegmentRuleSerializer
{
    /// <summary>
    /// Parses rule JSON; malformed or oversized JSON gives errors, never an exception
    /// </summary>
    RuleParseResult Parse(string json);

    string Serialize(SegmentRule rule);
}

public record RuleParseResult(SegmentRule Rule, IReadOnlyList<RuleValidationError> Errors)
{
    public bool Success => Errors.Count == 0;
}
