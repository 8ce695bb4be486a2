using Nop.Services.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// A requirement must include at least one segment, name only segments that exist, name each of them once,
/// and not include and exclude the same segment
/// </summary>
public class SegmentRequirementValidator : ISegmentRequirementValidator
{
    protected readonly ILocalizationService _localizationService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;
    protected readonly ISegmentService _segmentService;

    public SegmentRequirementValidator(ILocalizationService localizationService, ILocaleResourceFormatter localeResourceFormatter,
        ISegmentService segmentService)
    {
        _localizationService = localizationService;
        _localeResourceFormatter = localeResourceFormatter;
        _segmentService = segmentService;
    }

    /// <summary>
    /// How many segment ids an error names at most: a posted list may be as long as a form can carry
    /// </summary>
    public const int MaxListedIds = 20;

    protected virtual Task<string> TextAsync(string name) => _localizationService.GetResourceAsync(CustomerSegmentsDefaults.DiscountRequirementResource(name));

    protected virtual Task<string> FormatTextAsync(string name, params object[] args) => _localeResourceFormatter.FormatAsync(CustomerSegmentsDefaults.DiscountRequirementResource(name), args);

    public virtual async Task<IList<string>> ValidateAsync(SegmentRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);

        var errors = new List<string>();

        if (requirement.IncludeSegmentIds.Count == 0)
            errors.Add(await TextAsync("IncludeRequired"));

        var named = requirement.AllSegmentIds.ToList();
        if (named.Count > 0)
        {
            var existing = (await _segmentService.GetSegmentsByIdsAsync(named))
                .Where(segment => segment is not null)
                .Select(segment => segment.Id)
                .ToHashSet();
            var unknown = named.Where(id => !existing.Contains(id)).ToList();
            if (unknown.Count > 0)
                errors.Add(await FormatTextAsync("UnknownSegments", ListIds(unknown)));
        }

        var duplicated = requirement.IncludeSegmentIds.GroupBy(id => id).Concat(requirement.ExcludeSegmentIds.GroupBy(id => id))
            .Where(group => group.Count() > 1)
            .Select(group => group.Key)
            .ToList();
        if (duplicated.Count > 0)
            errors.Add(await FormatTextAsync("DuplicatedSegments", ListIds(duplicated)));

        var both = requirement.IncludeSegmentIds.Intersect(requirement.ExcludeSegmentIds).ToList();
        if (both.Count > 0)
            errors.Add(await FormatTextAsync("IncludedAndExcluded", ListIds(both)));

        return errors;
    }

    /// <summary>
    /// The ids in order, each once, the first <see cref="MaxListedIds"/> of them
    /// </summary>
    protected static string ListIds(IEnumerable<int> ids)
    {
        var ordered = ids.Distinct().Order().ToList();
        var listed = string.Join(", ", ordered.Take(MaxListedIds));

        return ordered.Count > MaxListedIds ? $"{listed}, …" : listed;
    }
}
