using Nop.Services.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// A requirement must include at least one segment, name only segments that exist, name each of them once,
/// and not include and exclude the same segment
/// </summary>
public class SegmentRequirementValidator : ISegmentRequirementValidator
{
    protected readonly ILocalizationService _localizationService;
    protected readonly ISegmentService _segmentService;

    public SegmentRequirementValidator(ILocalizationService localizationService, ISegmentService segmentService)
    {
        _localizationService = localizationService;
        _segmentService = segmentService;
    }

    protected virtual Task<string> TextAsync(string name) =>
        _localizationService.GetResourceAsync($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.DiscountRequirement.{name}");

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
            var unknown = named.Where(id => !existing.Contains(id)).OrderBy(id => id).ToList();
            if (unknown.Count > 0)
                errors.Add(string.Format(await TextAsync("UnknownSegments"), string.Join(", ", unknown)));
        }

        var duplicated = requirement.IncludeSegmentIds.GroupBy(id => id).Concat(requirement.ExcludeSegmentIds.GroupBy(id => id))
            .Where(group => group.Count() > 1)
            .Select(group => group.Key)
            .Distinct()
            .OrderBy(id => id)
            .ToList();
        if (duplicated.Count > 0)
            errors.Add(string.Format(await TextAsync("DuplicatedSegments"), string.Join(", ", duplicated)));

        var both = requirement.IncludeSegmentIds.Intersect(requirement.ExcludeSegmentIds).OrderBy(id => id).ToList();
        if (both.Count > 0)
            errors.Add(string.Format(await TextAsync("IncludedAndExcluded"), string.Join(", ", both)));

        return errors;
    }
}
