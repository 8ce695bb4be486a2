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

    #region Utilities

    /// <summary>
    /// How many customers the query selects; streamed through the provider's async enumerator, which the token cancels
    /// on the database side
    /// </summary>
    protected virtual async Task<int> CountAsync(IQueryable<int> matching, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var value in matching.Take(1).Select(_ => matching.Count()).ToAsyncEnumerable().WithCancellation(cancellationToken))
            count = value;

        return count;
    }

    /// <summary>
    /// The newest of the customers the query selects (the highest ids)
    /// </summary>
    protected virtual async Task<List<int>> SampleAsync(IQueryable<int> matching, int sampleSize, CancellationToken cancellationToken)
    {
        var sample = new List<int>();
        await foreach (var customerId in matching.OrderByDescending(id => id).Take(sampleSize).ToAsyncEnumerable().WithCancellation(cancellationToken))
            sample.Add(customerId);

        return sample;
    }

    #endregion

    #region Methods

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
        var nowUtc = DateTime.UtcNow;

        //the count and the sample are the same query read twice: side by side, the admin waits for the longer of the two
        //rather than for both. Each is built apart: a query runs on the data context of its first table, and one context
        //serves one statement at a time
        var counting = CountAsync(await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(parsed.Rule, storeId, nowUtc), cancellationToken);
        var sampling = sampleSize > 0
            ? SampleAsync(await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(parsed.Rule, storeId, nowUtc), sampleSize, cancellationToken)
            : Task.FromResult(new List<int>());
        await Task.WhenAll(counting, sampling);

        var count = await counting;
        var sample = count > 0 ? await sampling : [];

        return new SegmentPreviewResult([], count, sample);
    }

    #endregion
}
