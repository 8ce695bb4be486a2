using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Thrown instead of saving or running a dynamic segment whose rule is not valid; carries every error
/// </summary>
public class SegmentRuleValidationException : Exception
{
    public SegmentRuleValidationException(IReadOnlyList<RuleValidationError> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors ?? [];
    }

    public IReadOnlyList<RuleValidationError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<RuleValidationError> errors) =>
        errors is { Count: > 0 }
            ? "The segment's rule is not valid: " + string.Join("; ", errors.Select(error => error.Message))
            : "The segment's rule is not valid";
}
