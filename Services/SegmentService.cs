using LinqToDB;
using Nop.Core;
using Nop.Core.Domain.Localization;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Segment definitions. A dynamic segment is never stored with a rule that does not parse and validate.
/// </summary>
public class SegmentService : ISegmentService
{
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly IRepository<LocalizedProperty> _localizedPropertyRepository;
    protected readonly ISegmentCacheInvalidator _segmentCacheInvalidator;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly SegmentRuleAnalyzer _segmentRuleAnalyzer;
    //lazy: the validator reads segments through this service (reference cycles), so each needs the other
    protected readonly Lazy<ISegmentRuleValidator> _segmentRuleValidator;

    public SegmentService(IRepository<Segment> segmentRepository,
        IRepository<SegmentMembership> membershipRepository,
        IRepository<LocalizedProperty> localizedPropertyRepository,
        ISegmentCacheInvalidator segmentCacheInvalidator,
        ISegmentRuleSerializer segmentRuleSerializer,
        SegmentRuleAnalyzer segmentRuleAnalyzer,
        Lazy<ISegmentRuleValidator> segmentRuleValidator)
    {
        _segmentRepository = segmentRepository;
        _membershipRepository = membershipRepository;
        _localizedPropertyRepository = localizedPropertyRepository;
        _segmentCacheInvalidator = segmentCacheInvalidator;
        _segmentRuleSerializer = segmentRuleSerializer;
        _segmentRuleAnalyzer = segmentRuleAnalyzer;
        _segmentRuleValidator = segmentRuleValidator;
    }

    /// <summary>
    /// Throws <see cref="SegmentRuleValidationException"/> when the segment is dynamic and its rule does not
    /// parse or validate
    /// </summary>
    protected virtual async Task EnsureValidRuleAsync(Segment segment)
    {
        if (segment.SegmentTypeId != (int)SegmentType.Dynamic)
            return;

        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
        if (!parsed.Success)
            throw new SegmentRuleValidationException(parsed.Errors);

        var errors = await _segmentRuleValidator.Value.ValidateAsync(parsed.Rule, segment.Id);
        if (errors.Count > 0)
            throw new SegmentRuleValidationException(errors);
    }

    public virtual async Task<Segment> GetSegmentByIdAsync(int segmentId) =>
        segmentId > 0 ? await _segmentRepository.GetByIdAsync(segmentId) : null;

    public virtual async Task<IList<Segment>> GetSegmentsByIdsAsync(IList<int> segmentIds)
    {
        if (segmentIds is not { Count: > 0 })
            return [];

        return await _segmentRepository.GetByIdsAsync(segmentIds);
    }

    public virtual async Task<IList<Segment>> GetAllSegmentsAsync(bool activeOnly = false) =>
        await _segmentRepository.GetAllAsync(query =>
        {
            if (activeOnly)
                query = query.Where(segment => segment.Active);

            return query.OrderBy(segment => segment.Name).ThenBy(segment => segment.Id);
        });

    public virtual async Task<IPagedList<Segment>> SearchSegmentsAsync(string name = null, int storeId = 0, int pageIndex = 0, int pageSize = int.MaxValue) =>
        await _segmentRepository.GetAllPagedAsync(query =>
        {
            if (SearchText.Normalize(name) is { } term)
                query = query.Where(segment => segment.Name.Contains(term));

            //a store sees its own segments and those of all stores
            if (storeId > 0)
                query = query.Where(segment => segment.StoreId == storeId || segment.StoreId == 0);

            return query.OrderBy(segment => segment.Name).ThenBy(segment => segment.Id);
        }, pageIndex, pageSize);

    public virtual async Task InsertSegmentAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        await EnsureValidRuleAsync(segment);

        var now = DateTime.UtcNow;
        if (segment.CreatedOnUtc == default)
            segment.CreatedOnUtc = now;
        segment.UpdatedOnUtc = now;

        await _segmentRepository.InsertAsync(segment);
        await _segmentCacheInvalidator.SegmentsChangedAsync();
    }

    public virtual async Task UpdateSegmentAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        await EnsureValidRuleAsync(segment);

        segment.UpdatedOnUtc = DateTime.UtcNow;
        await _segmentRepository.UpdateAsync(segment);
        await _segmentCacheInvalidator.SegmentsChangedAsync();

        //the cached segments of customers list active segments only: switching a segment on or off changes them
        await _segmentCacheInvalidator.AllMembershipsChangedAsync();
    }

    public virtual async Task<IList<Segment>> DeactivateStoreSegmentsAsync(int storeId)
    {
        if (storeId <= 0)
            return [];

        var segments = await _segmentRepository.Table
            .Where(segment => segment.StoreId == storeId && segment.Active)
            .OrderBy(segment => segment.Name).ThenBy(segment => segment.Id)
            .ToListAsync();
        if (segments.Count == 0)
            return segments;

        try
        {
            var now = DateTime.UtcNow;
            foreach (var segment in segments)
            {
                segment.Active = false;
                segment.UpdatedOnUtc = now;
                await _segmentRepository.UpdateAsync(segment);
            }
        }
        finally
        {
            await _segmentCacheInvalidator.SegmentsChangedAsync();
            await _segmentCacheInvalidator.AllMembershipsChangedAsync();
        }

        return segments;
    }

    /// <summary>
    /// The segment's stored rule; null when it does not parse
    /// </summary>
    protected virtual SegmentRule ParseRule(Segment segment)
    {
        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
        return parsed.Success ? parsed.Rule : null;
    }

    public virtual SegmentRuleDependencies GetDependencies(Segment segment) =>
        ParseRule(segment) is { } rule ? _segmentRuleAnalyzer.GetDependencies(rule) : null;

    public virtual async Task<IList<Segment>> GetReferencingSegmentsAsync(int segmentId)
    {
        //rules are JSON: every stored rule is read (a shop has tens of segments, not thousands)
        var withRules = await _segmentRepository.Table
            .Where(segment => segment.Id != segmentId && segment.SegmentTypeId == (int)SegmentType.Dynamic)
            .OrderBy(segment => segment.Name).ThenBy(segment => segment.Id)
            .ToListAsync();

        return withRules.Where(segment => GetDependencies(segment)?.ReferencedSegmentIds.Contains(segmentId) == true).ToList();
    }

    public virtual async Task<IList<Segment>> GetActiveDynamicSegmentsReadingAsync(RuleDataSources sources)
    {
        var segments = await _segmentRepository.Table
            .Where(segment => segment.Active && segment.SegmentTypeId == (int)SegmentType.Dynamic)
            .OrderBy(segment => segment.Id)
            .ToListAsync();

        return segments.Where(segment => GetDependencies(segment) is { } dependencies && (dependencies.Sources & sources) != 0).ToList();
    }

    public virtual async Task<IDictionary<int, IList<Segment>>> GetSegmentsNamingStoresAsync()
    {
        //rules are JSON: every stored rule is read (a shop has tens of segments, not thousands)
        var withRules = await _segmentRepository.Table
            .Where(segment => segment.SegmentTypeId == (int)SegmentType.Dynamic)
            .OrderBy(segment => segment.Name).ThenBy(segment => segment.Id)
            .ToListAsync();

        var byStore = new Dictionary<int, IList<Segment>>();
        foreach (var segment in withRules)
        {
            if (ParseRule(segment) is not { } rule)
                continue;

            foreach (var storeId in _segmentRuleAnalyzer.GetStoreIds(rule))
            {
                if (!byStore.TryGetValue(storeId, out var segments))
                    byStore[storeId] = segments = [];
                segments.Add(segment);
            }
        }

        return byStore;
    }

    public virtual async Task DeleteSegmentAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);

        //a rule naming a missing segment no longer validates: its segment would stop being rebuilt
        var referencing = await GetReferencingSegmentsAsync(segment.Id);
        if (referencing.Count > 0)
            throw new SegmentInUseException(segment.Id, referencing);

        //memberships first: a failure in between leaves a segment without history, never history without a segment
        var segmentId = segment.Id;
        var localeKeyGroup = nameof(Segment);
        try
        {
            await _membershipRepository.Table.Where(membership => membership.SegmentId == segmentId).DeleteAsync();
            await _localizedPropertyRepository.DeleteAsync(property => property.EntityId == segmentId && property.LocaleKeyGroup == localeKeyGroup);
            await _segmentRepository.DeleteAsync(segment);
        }
        finally
        {
            //whatever was deleted before a failure is no longer read from the caches either
            await _segmentCacheInvalidator.SegmentsChangedAsync();
            await _segmentCacheInvalidator.AllMembershipsChangedAsync();
        }
    }
}
