using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The membership changes an admin asks for, set-based: a rebuild closes the stays of customers who no longer
/// match and opens stays for new matches in two statements, whatever the segment's size
/// </summary>
public class SegmentMembershipWriter : ISegmentMembershipWriter
{
    /// <summary>
    /// Customer ids per statement when adding or removing by hand
    /// </summary>
    public const int BatchSize = 500;

    protected readonly IRepository<Customer> _customerRepository;
    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<SegmentMembership> _membershipRepository;
    protected readonly ISegmentRuleQueryBuilder _segmentRuleQueryBuilder;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly ISegmentRuleValidator _segmentRuleValidator;
    protected readonly ISegmentService _segmentService;

    public SegmentMembershipWriter(IRepository<Customer> customerRepository,
        INopDataProvider dataProvider,
        IRepository<SegmentMembership> membershipRepository,
        ISegmentRuleQueryBuilder segmentRuleQueryBuilder,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentRuleValidator segmentRuleValidator,
        ISegmentService segmentService)
    {
        _customerRepository = customerRepository;
        _dataProvider = dataProvider;
        _membershipRepository = membershipRepository;
        _segmentRuleQueryBuilder = segmentRuleQueryBuilder;
        _segmentRuleSerializer = segmentRuleSerializer;
        _segmentRuleValidator = segmentRuleValidator;
        _segmentService = segmentService;
    }

    protected virtual IQueryable<SegmentMembership> Current(int segmentId) =>
        _membershipRepository.Table.Where(membership => membership.SegmentId == segmentId && membership.LeftOnUtc == null);

    public virtual async Task<int> RebuildSegmentAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.SegmentTypeId != (int)SegmentType.Dynamic)
            throw new InvalidOperationException("Only dynamic segments are rebuilt from their rule");

        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);
        var errors = parsed.Success ? await _segmentRuleValidator.ValidateAsync(parsed.Rule, segment.Id) : parsed.Errors;
        if (errors.Count > 0)
            throw new InvalidOperationException($"The rule of segment {segment.Id} is not valid: {errors[0].Message}");

        var now = DateTime.UtcNow;
        var matching = await _segmentRuleQueryBuilder.BuildMatchingCustomerIdsQueryAsync(parsed.Rule, segment.StoreId, now);
        var segmentId = segment.Id;

        await Current(segmentId)
            .Where(membership => !matching.Contains(membership.CustomerId))
            .Set(membership => membership.LeftOnUtc, (DateTime?)now)
            .UpdateAsync();

        var current = Current(segmentId);
        var memberships = (ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>();
        await matching
            .Distinct()
            .Where(customerId => !current.Any(membership => membership.CustomerId == customerId))
            .InsertAsync(memberships, customerId => new SegmentMembership
            {
                SegmentId = segmentId,
                CustomerId = customerId,
                EnteredOnUtc = now
            });

        segment.LastRebuiltOnUtc = now;
        await _segmentService.UpdateSegmentAsync(segment);

        return await Current(segmentId).CountAsync();
    }

    public virtual async Task<int> AddCustomersAsync(Segment segment, IList<int> customerIds)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.SegmentTypeId != (int)SegmentType.Static)
            throw new InvalidOperationException("Customers are added by hand to static segments only");

        var now = DateTime.UtcNow;
        var segmentId = segment.Id;
        var memberships = (ITable<SegmentMembership>)_dataProvider.GetTable<SegmentMembership>();
        var added = 0;
        foreach (var batch in (customerIds ?? []).Where(id => id > 0).Distinct().Chunk(BatchSize))
        {
            //from the customer table, so that only existing customers who are not members yet enter
            var current = Current(segmentId);
            added += await _customerRepository.Table
                .Where(customer => batch.Contains(customer.Id) && !current.Any(membership => membership.CustomerId == customer.Id))
                .InsertAsync(memberships, customer => new SegmentMembership
                {
                    SegmentId = segmentId,
                    CustomerId = customer.Id,
                    EnteredOnUtc = now
                });
        }

        return added;
    }

    public virtual async Task<int> RemoveCustomersAsync(Segment segment, IList<int> customerIds)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.SegmentTypeId != (int)SegmentType.Static)
            throw new InvalidOperationException("Customers are removed by hand from static segments only");

        var now = DateTime.UtcNow;
        var removed = 0;
        foreach (var batch in (customerIds ?? []).Distinct().Chunk(BatchSize))
        {
            removed += await Current(segment.Id)
                .Where(membership => batch.Contains(membership.CustomerId))
                .Set(membership => membership.LeftOnUtc, (DateTime?)now)
                .UpdateAsync();
        }

        return removed;
    }
}
