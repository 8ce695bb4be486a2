using System.Text;
using Nop.Core.Domain.Customers;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Segment members to CSV files
/// </summary>
public class SegmentMemberCsvService : ISegmentMemberCsvService
{
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;

    public SegmentMemberCsvService(IRepository<Customer> customerRepository,
        IRepository<SegmentMembership> membershipRepository)
    {
        _customerRepository = customerRepository;
        _membershipRepository = membershipRepository;
    }

    protected class ExportRow
    {
        public int CustomerId { get; init; }

        public string Email { get; init; }

        public string FirstName { get; init; }

        public string LastName { get; init; }

        public DateTime EnteredOnUtc { get; init; }
    }

    public virtual async Task ExportMembersAsync(Segment segment, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        cancellationToken.ThrowIfCancellationRequested();

        var rows =
            from membership in _membershipRepository.Table.CurrentOf(segment.Id)
            join customer in _customerRepository.Table on membership.CustomerId equals customer.Id
            orderby customer.Id
            select new ExportRow
            {
                CustomerId = customer.Id,
                Email = customer.Email,
                FirstName = customer.FirstName,
                LastName = customer.LastName,
                EnteredOnUtc = membership.EnteredOnUtc
            };

        await using var writer = new StreamWriter(output, new UTF8Encoding(true), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(CsvCells.Line("CustomerId", "Email", "FirstName", "LastName", "EnteredOnUtc"));

        //one streamed query, so a large segment never sits in memory
        await foreach (var row in rows.ToAsyncEnumerable().WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(CsvCells.Line(row.CustomerId.ToString(), row.Email, row.FirstName, row.LastName,
                DateTime.SpecifyKind(row.EnteredOnUtc, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss")));
        }
    }
}
