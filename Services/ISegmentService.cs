using Nop.Core;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Segment definitions: read and write
/// </summary>
public interface ISegmentService
{
    Task<Segment> GetSegmentByIdAsync(int segmentId);

    Task<IList<Segment>> GetSegmentsByIdsAsync(IList<int> segmentIds);

    Task<IList<Segment>> GetAllSegmentsAsync(bool activeOnly = false);

    Task<IPagedList<Segment>> SearchSegmentsAsync(string name = null, int storeId = 0, int pageIndex = 0, int pageSize = int.MaxValue);

    Task InsertSegmentAsync(Segment segment);

    Task UpdateSegmentAsync(Segment segment);

    /// <summary>
    /// Makes the active segments limited to the store inactive (the store was deleted), without checking their rules;
    /// their memberships and history stay
    /// </summary>
    /// <returns>The segments made inactive</returns>
    Task<IList<Segment>> DeactivateStoreSegmentsAsync(int storeId);

    /// <summary>
    /// What the segment's stored rule reads and which segments it names; null when the rule does not parse
    /// </summary>
    SegmentRuleDependencies GetDependencies(Segment segment);

    /// <summary>
    /// The segments whose rules name the segment (a segment.member condition): while there are any, the segment is not deleted
    /// </summary>
    Task<IList<Segment>> GetReferencingSegmentsAsync(int segmentId);

    /// <summary>
    /// The active dynamic segments whose rules read any of the data (for a change whose customers are not known, such
    /// as rows nopCommerce's database removed by a cascade)
    /// </summary>
    Task<IList<Segment>> GetActiveDynamicSegmentsReadingAsync(RuleDataSources sources);

    /// <summary>
    /// The dynamic segments whose rules name stores (a condition on the store registered in), by store
    /// </summary>
    Task<IDictionary<int, IList<Segment>>> GetSegmentsNamingStoresAsync();

    /// <summary>
    /// Deletes the segment with its memberships and translations
    /// </summary>
    /// <exception cref="SegmentInUseException">Another segment's rule names the segment</exception>
    Task DeleteSegmentAsync(Segment segment);
}
