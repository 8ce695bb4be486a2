using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Runs an unsaved rule through the same validation and query as a rebuild, with a time limit
/// </summary>
public class SegmentPreviewService : ISegmentPreviewService
{
    protected readonly ISegmentRuleQueryBuilder _segmentRuleQueryBuilder;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;

    public SegmentPreviewService(ISegmentRuleQueryBuilder segmentRuleQueryBuilder,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentRuleValidator segmentRuleValidator)
    {
        _segmentRuleQueryBuilder = segmentRuleQueryBuilder;
        _segmentRuleSerializer = segmentRuleSerializer;
        _segmentRuleValidator = segmentRuleValidator;
    }

    public virtual async Task<SegmentPreviewResult> PreviewAsync(string ruleJson, int segmentId, int storeId, int sampleSize,
        CancellationToken cancellationToken)
    {
        var parsed = _segmentRuleSerializer.Parse(ruleJson ?? string.Empty);
        if (!parsed.Success)
            return new SegmentPreviewResult(await _segmentRuleValidator.LocalizeAsync(parsed.Errors), 0, []);

        var errors = await _segmentRuleValidator.ValidateAsync(parsed.Rule, segmentId);
        if (errors.Count > 0)
            return new SegmentPreviewResult(errors, 0, []);

        cancellationToken.ThrowIfCancellationRequested();
        var matching = await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(parsed.Rule, storeId, DateTime.UtcNow);

        //both queries stream through the provider's async enumerator, which the token cancels on the database side
        var count = 0;
        var countQuery = matching.Take(1).Select(_ => matching.Count());
        await foreach (var value in countQuery.ToAsyncEnumerable().WithCancellation(cancellationToken))
            count = value;

        var sample = new List<int>();
        if (count > 0 && sampleSize > 0)
        {
            await foreach (var customerId in matching.OrderByDescending(id => id).Take(sampleSize).ToAsyncEnumerable().WithCancellation(cancellationToken))
                sample.Add(customerId);
        }

        return new SegmentPreviewResult([], count, sample);
    }
}
