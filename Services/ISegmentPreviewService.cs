using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Runs a rule that is not saved yet, to show the admin who it matches
/// </summary>
public interface ISegmentPreviewService
{
    /// <summary>
    /// Parses and validates the rule JSON; when it is valid, counts the matching customers and takes the first few
    /// </summary>
    /// <param name="ruleJson">The rule as the builder posts it</param>
    /// <param name="segmentId">The segment being edited (0 for a new one), for reference cycles</param>
    /// <param name="storeId">The store the segment is about (0 for all)</param>
    /// <param name="sampleSize">How many matching customers to return</param>
    /// <param name="cancellationToken">Ends the queries when the time limit passes or the admin leaves</param>
    Task<SegmentPreviewResult> PreviewAsync(string ruleJson, int segmentId, int storeId, int sampleSize, CancellationToken cancellationToken);
}

/// <summary>
/// What a preview found: errors, or the number of matching customers and the first of them
/// </summary>
public record SegmentPreviewResult(IReadOnlyList<RuleValidationError> Errors, int Count, IReadOnlyList<int> SampleCustomerIds)
{
    public bool IsValid => Errors.Count == 0;
}
