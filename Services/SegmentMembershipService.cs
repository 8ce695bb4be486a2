using Nop.Core;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Reads memberships: a stay is current while it has no LeftOnUtc
/// </summary>
public class SegmentMembershipService : ISegmentMembershipService
{
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;

    public SegmentMembershipService(IRepository<Segment> segmentRepository,
        IRepository<SegmentMembership> membershipRepository)
    {
        _segmentRepository = segmentRepository;
        _membershipRepository = membershipRepository;
    }

    public virtual async Task<IList<int>> GetSegmentIdsOfCustomerAsync(int customerId)
    {
        if (customerId <= 0)
            return [];

        var query = from membership in _membershipRepository.Table.Current()
            join segment in _segmentRepository.Table on membership.SegmentId equals segment.Id
            where membership.CustomerId == customerId && segment.Active
            orderby membership.SegmentId
            select membership.SegmentId;

        return await query.Distinct().ToListAsync();
    }

    public virtual async Task<bool> IsMemberAsync(int segmentId, int customerId)
    {
        var activeSegment = _segmentRepository.Table.Where(segment => segment.Id == segmentId && segment.Active);

        return await _membershipRepository.Table.CurrentOf(segmentId)
            .AnyAsync(membership => membership.CustomerId == customerId && activeSegment.Any());
    }

    public virtual async Task<IPagedList<SegmentMembership>> GetMembersAsync(int segmentId, int pageIndex = 0, int pageSize = int.MaxValue) =>
        await _membershipRepository.Table.CurrentOf(segmentId)
            .OrderByDescending(membership => membership.EnteredOnUtc)
            .ThenByDescending(membership => membership.Id)
            .ToPagedListAsync(pageIndex, pageSize);

    public virtual async Task<int> CountMembersAsync(int segmentId) =>
        await _membershipRepository.Table.CurrentOf(segmentId).CountAsync();

    public virtual async Task<IDictionary<int, int>> CountMembersOfAllSegmentsAsync()
    {
        var counts = await _membershipRepository.Table.Current()
            .GroupBy(membership => membership.SegmentId)
            .Select(group => new { SegmentId = group.Key, Count = group.Count() })
            .ToListAsync();

        return counts.ToDictionary(count => count.SegmentId, count => count.Count);
    }

    public virtual async Task<IList<SegmentMembership>> GetHistoryOfCustomerAsync(int customerId) =>
        await _membershipRepository.Table
            .Where(membership => membership.CustomerId == customerId)
            .OrderByDescending(membership => membership.EnteredOnUtc)
            .ThenByDescending(membership => membership.Id)
            .ToListAsync();

    public virtual async Task<IList<SegmentMembership>> GetHistoryOfSegmentAsync(int segmentId) =>
        await _membershipRepository.Table
            .Where(membership => membership.SegmentId == segmentId)
            .OrderByDescending(membership => membership.EnteredOnUtc)
            .ThenByDescending(membership => membership.Id)
            .ToListAsync();
}
