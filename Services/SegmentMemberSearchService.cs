using Nop.Core;
using Nop.Core.Domain.Customers;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The current members of a segment with their customer data, searched and paged in the database
/// </summary>
public class SegmentMemberSearchService : ISegmentMemberSearchService
{
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;

    public SegmentMemberSearchService(IRepository<Customer> customerRepository,
        IRepository<SegmentMembership> membershipRepository)
    {
        _customerRepository = customerRepository;
        _membershipRepository = membershipRepository;
    }

    protected class MemberRow
    {
        public int CustomerId { get; init; }

        public string Email { get; init; }

        public string FirstName { get; init; }

        public string LastName { get; init; }

        public DateTime EnteredOnUtc { get; init; }
    }

    public virtual async Task<IPagedList<SegmentMemberRow>> SearchMembersAsync(int segmentId, string email = null,
        int pageIndex = 0, int pageSize = int.MaxValue)
    {
        var query =
            from membership in _membershipRepository.Table.CurrentOf(segmentId)
            join customer in _customerRepository.Table on membership.CustomerId equals customer.Id
            select new { membership, customer };

        if (SearchText.Normalize(email) is { } search)
            query = query.Where(row => row.customer.Email.Contains(search));

        var rows = query
            .OrderByDescending(row => row.membership.EnteredOnUtc)
            .ThenBy(row => row.customer.Id)
            .Select(row => new MemberRow
            {
                CustomerId = row.customer.Id,
                Email = row.customer.Email,
                FirstName = row.customer.FirstName,
                LastName = row.customer.LastName,
                EnteredOnUtc = row.membership.EnteredOnUtc
            });

        var page = await rows.ToPagedListAsync(pageIndex, pageSize);

        return new PagedList<SegmentMemberRow>(
            page.Select(row => new SegmentMemberRow(row.CustomerId, row.Email, row.FirstName, row.LastName, row.EnteredOnUtc)).ToList(),
            page.PageIndex, page.PageSize, page.TotalCount);
    }
}
