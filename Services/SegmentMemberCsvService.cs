using System.Net.Mail;
using System.Text;
using Nop.Core.Domain.Customers;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Segment members to and from CSV files
/// </summary>
public class SegmentMemberCsvService : ISegmentMemberCsvService
{
    /// <summary>
    /// Emails looked up per query on import
    /// </summary>
    public const int ImportBatchSize = 500;

    /// <summary>
    /// Largest file an import reads; a larger one is refused before anything changes
    /// </summary>
    public const long MaxImportBytes = 10 * 1024 * 1024;

    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly ISegmentMembershipWriter _segmentMembershipWriter;

    public SegmentMemberCsvService(IRepository<Customer> customerRepository,
        IRepository<SegmentMembership> membershipRepository,
        ISegmentMembershipWriter segmentMembershipWriter)
    {
        _customerRepository = customerRepository;
        _membershipRepository = membershipRepository;
        _segmentMembershipWriter = segmentMembershipWriter;
    }

    protected class ExportRow
    {
        public int CustomerId { get; init; }

        public string Email { get; init; }

        public string FirstName { get; init; }

        public string LastName { get; init; }

        public DateTime EnteredOnUtc { get; init; }
    }

    protected class CustomerEmail
    {
        public int Id { get; init; }

        public string Email { get; init; }
    }

    protected static bool IsEmail(string value) =>
        value.Length <= 254 && !value.Any(char.IsWhiteSpace) && MailAddress.TryCreate(value, out var address) && address.Address == value;

    public virtual async Task ExportMembersAsync(Segment segment, Stream output)
    {
        ArgumentNullException.ThrowIfNull(segment);

        var rows =
            from membership in _membershipRepository.Table
            join customer in _customerRepository.Table on membership.CustomerId equals customer.Id
            where membership.SegmentId == segment.Id && membership.LeftOnUtc == null
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
        await foreach (var row in rows.ToAsyncEnumerable())
        {
            await writer.WriteLineAsync(CsvCells.Line(row.CustomerId.ToString(), row.Email, row.FirstName, row.LastName,
                DateTime.SpecifyKind(row.EnteredOnUtc, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss")));
        }
    }

    public virtual async Task<SegmentImportReport> ImportEmailsAsync(Segment segment, Stream input)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(input);

        if (segment.SegmentTypeId != (int)SegmentType.Static)
            throw new InvalidOperationException("Customers are added by hand to static segments only");

        if (input.CanSeek && input.Length - input.Position > MaxImportBytes)
            throw new InvalidDataException($"The file is larger than {MaxImportBytes / (1024 * 1024)} MB");

        var rows = 0;
        long characters = 0;
        var invalid = new List<string>();
        var emails = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        using (var reader = new StreamReader(input, Encoding.UTF8, true, 64 * 1024, leaveOpen: true))
        {
            string line;
            var first = true;
            while ((line = await reader.ReadLineAsync()) is not null)
            {
                characters += line.Length + 1;
                if (characters > MaxImportBytes)
                    throw new InvalidDataException($"The file is larger than {MaxImportBytes / (1024 * 1024)} MB");

                var cell = CsvCells.FirstCell(line);
                var isFirst = first;
                first = false;
                if (cell.Length == 0)
                    continue;

                //a header line names the column instead of holding an email
                if (isFirst && !cell.Contains('@'))
                    continue;

                rows++;
                if (!IsEmail(cell))
                    invalid.Add(cell);
                else if (seen.Add(cell))
                    emails.Add(cell);
            }
        }

        var found = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var batch in emails.Chunk(ImportBatchSize))
        {
            //emails are stored as typed: look for the typed and the lower-case spelling, then match ignoring case
            var candidates = batch.Concat(batch.Select(email => email.ToLowerInvariant())).Distinct().ToArray();
            var customers = await _customerRepository.Table
                .Where(customer => !customer.Deleted && candidates.Contains(customer.Email))
                .Select(customer => new CustomerEmail { Id = customer.Id, Email = customer.Email })
                .ToListAsync();

            foreach (var customer in customers.OrderBy(customer => customer.Id))
                found.TryAdd(customer.Email, customer.Id);
        }

        //emails stored with other capitals: compared lower-cased, which the index can't serve, so only for the rest
        foreach (var batch in emails.Where(email => !found.ContainsKey(email)).Chunk(ImportBatchSize))
        {
            var lowered = batch.Select(email => email.ToLowerInvariant()).Distinct().ToArray();
            var customers = await _customerRepository.Table
                .Where(customer => !customer.Deleted && lowered.Contains(customer.Email.ToLower()))
                .Select(customer => new CustomerEmail { Id = customer.Id, Email = customer.Email })
                .ToListAsync();

            foreach (var customer in customers.OrderBy(customer => customer.Id))
                found.TryAdd(customer.Email, customer.Id);
        }

        var notFound = emails.Where(email => !found.ContainsKey(email)).ToList();
        var customerIds = emails.Where(found.ContainsKey).Select(email => found[email]).Distinct().ToList();

        var current = new HashSet<int>();
        foreach (var batch in customerIds.Chunk(ImportBatchSize))
        {
            var members = await _membershipRepository.Table
                .Where(membership => membership.SegmentId == segment.Id && membership.LeftOnUtc == null && batch.Contains(membership.CustomerId))
                .Select(membership => membership.CustomerId)
                .ToListAsync();
            current.UnionWith(members);
        }

        var toAdd = customerIds.Where(customerId => !current.Contains(customerId)).ToList();
        var added = toAdd.Count > 0 ? await _segmentMembershipWriter.AddCustomersAsync(segment, toAdd) : 0;

        return new SegmentImportReport(rows, added, customerIds.Count - toAdd.Count, notFound, invalid);
    }
}
