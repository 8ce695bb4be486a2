using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The current members of a segment with their customer data, searched and paged in the database
/// </summary>
public interface ISegmentMemberSearchService
{
    /// <summary>
    /// Current members, newest first, whose email contains the search text
    /// </summary>
    Task<IPagedList<SegmentMemberRow>> SearchMembersAsync(int segmentId, string email = null, int pageIndex = 0, int pageSize = int.MaxValue);
}

public record SegmentMemberRow(int CustomerId, string Email, string FirstName, string LastName, DateTime EnteredOnUtc);
