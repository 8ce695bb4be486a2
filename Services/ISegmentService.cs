using Nop.Core;
using Nop.Plugin.Misc.CustomerSegments.Domain;

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

    Task DeleteSegmentAsync(Segment segment);
}
