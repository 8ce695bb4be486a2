using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Hand-kept membership, with history as for dynamic segments: removing closes the stay, adding back opens a new one
/// </summary>
public class StaticSegmentService : IStaticSegmentService
{
    public const int BatchSize = 500;

    protected readonly EmailCsvParser _emailCsvParser;
    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly ISegmentCacheInvalidator _segmentCacheInvalidator;
    protected readonly ISegmentReevaluationService _segmentReevaluationService;

    public StaticSegmentService(EmailCsvParser emailCsvParser,
        INopDataProvider dataProvider,
        IRepository<Customer> customerRepository,
        IRepository<SegmentMembership> membershipRepository,
        ISegmentCacheInvalidator segmentCacheInvalidator,
        ISegmentReevaluationService segmentReevaluationService)
    {
        _emailCsvParser = emailCsvParser;
        _dataProvider = dataProvider;
        _customerRepository = customerRepository;
        _membershipRepository = membershipRepository;
        _segmentCacheInvalidator = segmentCacheInvalidator;
        _segmentReevaluationService = segmentReevaluationService;
    }

    protected static void EnsureStatic(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.SegmentTypeId != (int)SegmentType.Static)
            throw new InvalidOperationException("Customers are added and removed by hand in static segments only");
    }

    /// <summary>
    /// Segments whose rules reference this one follow the change for the customers concerned
    /// </summary>
    protected virtual Task UpdateDependentsAsync(IList<int> customerIds) =>
        _segmentReevaluationService.ReevaluateCustomersAsync(customerIds, RuleDataSources.OtherSegments);

    public virtual async Task<int> AddCustomersAsync(Segment segment, IList<int> customerIds)
    {
        EnsureStatic(segment);

        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        var nowUtc = DateTime.UtcNow;
        var segmentId = segment.Id;
        var memberships = (ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>();
        var added = 0;
        try
        {
            foreach (var batch in ids.Chunk(BatchSize))
            {
                //from the customer table: only customers who exist (not deleted, no system account) enter
                var current = _membershipRepository.Table.CurrentOf(segmentId);
                added += await _customerRepository.Table
                    .Where(customer => batch.Contains(customer.Id) && !customer.Deleted && !customer.IsSystemAccount
                        && !current.Any(membership => membership.CustomerId == customer.Id))
                    .InsertAsync(memberships, customer => new SegmentMembership
                    {
                        SegmentId = segmentId,
                        CustomerId = customer.Id,
                        EnteredOnUtc = nowUtc
                    });
            }
        }
        finally
        {
            //the batches written before a failure count too
            if (added > 0)
                await _segmentCacheInvalidator.CustomersMembershipChangedAsync(ids);
        }

        if (added > 0)
            await UpdateDependentsAsync(ids);

        return added;
    }

    public virtual async Task<int> RemoveCustomersAsync(Segment segment, IList<int> customerIds)
    {
        EnsureStatic(segment);

        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        var nowUtc = DateTime.UtcNow;
        var removed = 0;
        try
        {
            foreach (var batch in ids.Chunk(BatchSize))
            {
                removed += await _membershipRepository.Table.CurrentOf(segment.Id)
                    .Where(membership => batch.Contains(membership.CustomerId))
                    .Set(membership => membership.LeftOnUtc, (DateTime?)nowUtc)
                    .UpdateAsync();
            }
        }
        finally
        {
            //the batches written before a failure count too
            if (removed > 0)
                await _segmentCacheInvalidator.CustomersMembershipChangedAsync(ids);
        }

        if (removed > 0)
            await UpdateDependentsAsync(ids);

        return removed;
    }

    /// <summary>
    /// Customer ids by email (lower case) for the given emails: first by the stored value as written (the
    /// index serves it), then, for those not found, without case
    /// </summary>
    protected virtual async Task<Dictionary<string, int>> FindCustomersByEmailAsync(IReadOnlyList<string> emails)
    {
        var found = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var batch in emails.Chunk(BatchSize))
        {
            var candidates = batch.Concat(batch.Select(email => email.ToLowerInvariant())).Distinct().ToArray();
            var rows = await _customerRepository.Table
                .Where(customer => !customer.Deleted && !customer.IsSystemAccount && candidates.Contains(customer.Email))
                .OrderBy(customer => customer.Id)
                .Select(customer => new { customer.Id, customer.Email })
                .ToListAsync();
            foreach (var row in rows)
                found.TryAdd(row.Email, row.Id);
        }

        var missing = emails.Where(email => !found.ContainsKey(email)).Select(email => email.ToLowerInvariant()).Distinct().ToList();
        foreach (var batch in missing.Chunk(BatchSize))
        {
            var rows = await _customerRepository.Table
                .Where(customer => !customer.Deleted && !customer.IsSystemAccount && batch.Contains(customer.Email.ToLower()))
                .OrderBy(customer => customer.Id)
                .Select(customer => new { customer.Id, customer.Email })
                .ToListAsync();
            foreach (var row in rows)
                found.TryAdd(row.Email, row.Id);
        }

        return found;
    }

    public virtual async Task<EmailImportResult> ImportEmailsAsync(Segment segment, Stream csv)
    {
        EnsureStatic(segment);
        ArgumentNullException.ThrowIfNull(csv);

        var parsed = await _emailCsvParser.ParseAsync(csv);
        var customers = await FindCustomersByEmailAsync(parsed.Emails);

        var unknown = parsed.Emails.Where(email => !customers.ContainsKey(email)).ToList();
        var ids = parsed.Emails.Where(customers.ContainsKey).Select(email => customers[email]).Distinct().ToList();

        var added = await AddCustomersAsync(segment, ids);

        return new EmailImportResult(added, ids.Count - added, unknown, parsed.BadRows, parsed.Truncated);
    }
}
