using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Checks a rule before it is saved or run
/// </summary>
public interface ISegmentRuleValidator
{
    /// <summary>
    /// All that is wrong with a rule about to be saved (empty when it is valid): unknown fields or operators, wrong
    /// value types, empty lists, bad dates, too deep or too large trees, cycles of segment references, segments or
    /// stores that don't exist (a deleted store included), ids of roles, products, countries ... that name no row (a
    /// soft-deleted product, category, manufacturer or vendor is a row)
    /// </summary>
    /// <param name="rule">The rule</param>
    /// <param name="segmentId">The segment that owns the rule (0 for a new one), to detect reference cycles</param>
    Task<IReadOnlyList<RuleValidationError>> ValidateAsync(SegmentRule rule, int segmentId);

    /// <summary>
    /// All that is wrong with a saved rule about to run: as <see cref="ValidateAsync"/>, except that a store deleted
    /// since the rule was saved is no error (its condition keeps matching the customers registered in it, as a
    /// condition on a deleted product keeps matching its buyers), nor is a role, country ... deleted since
    /// </summary>
    /// <param name="rule">The rule</param>
    /// <param name="segmentId">The segment that owns the rule</param>
    Task<IReadOnlyList<RuleValidationError>> ValidateSavedAsync(SegmentRule rule, int segmentId);

    /// <summary>
    /// All that is wrong with a segment's stored rule about to run, in the admin's language: the serializer's errors
    /// when it does not parse, else <see cref="ValidateSavedAsync"/>'s
    /// </summary>
    /// <param name="segment">The segment</param>
    Task<IReadOnlyList<RuleValidationError>> ValidateStoredAsync(Segment segment);

    /// <summary>
    /// The errors found before validation (the serializer's, whose messages are English) in the admin's language
    /// </summary>
    /// <param name="errors">The errors</param>
    Task<IReadOnlyList<RuleValidationError>> LocalizeAsync(IReadOnlyList<RuleValidationError> errors);
}
