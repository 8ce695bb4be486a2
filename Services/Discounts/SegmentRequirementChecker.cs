using Nop.Core.Caching;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Caching;
using Nop.Services.Customers;
using Nop.Services.Discounts;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// The customer must be in any (or all) of the included segments and in none of the excluded ones.
/// Anything unclear fails: no configuration, a segment deleted or switched off, an unknown customer,
/// a guest while guests are not segmented, a read that failed. A segment limited to a store counts only in that store
/// </summary>
public class SegmentRequirementChecker : ISegmentRequirementChecker
{
    protected readonly CustomerSegmentsSettings _settings;
    protected readonly ICustomerSegmentIdsReader _customerSegmentIdsReader;
    protected readonly ICustomerService _customerService;
    protected readonly ILogger _logger;
    protected readonly ISegmentRequirementStore _segmentRequirementStore;
    protected readonly IActiveSegmentReader _activeSegmentReader;
    protected readonly IShortTermCacheManager _shortTermCacheManager;

    public SegmentRequirementChecker(CustomerSegmentsSettings settings,
        ICustomerSegmentIdsReader customerSegmentIdsReader,
        ICustomerService customerService,
        ILogger logger,
        ISegmentRequirementStore segmentRequirementStore,
        IActiveSegmentReader activeSegmentReader,
        IShortTermCacheManager shortTermCacheManager)
    {
        _settings = settings;
        _customerSegmentIdsReader = customerSegmentIdsReader;
        _customerService = customerService;
        _logger = logger;
        _segmentRequirementStore = segmentRequirementStore;
        _activeSegmentReader = activeSegmentReader;
        _shortTermCacheManager = shortTermCacheManager;
    }

    /// <summary>
    /// The segments the requirement names, or null when one of them was deleted or switched off; read from the active
    /// segments in nopCommerce's static cache (<see cref="IActiveSegmentReader"/>), once per request
    /// </summary>
    protected virtual async Task<IList<Segment>> GetUsableSegmentsAsync(int discountRequirementId, SegmentRequirement requirement)
    {
        var ids = requirement.AllSegmentIds.ToList();
        var segments = await _shortTermCacheManager.GetAsync(
            async () => (await _activeSegmentReader.GetActiveSegmentsAsync()).Where(segment => ids.Contains(segment.Id)).ToList(),
            CustomerSegmentsCacheDefaults.RequirementSegmentsCacheKey, discountRequirementId);

        return ids.All(id => segments.Any(segment => segment.Id == id)) ? segments : null;
    }

    /// <summary>
    /// Whether a segment counts in the store of the request: a segment for all stores counts everywhere, a segment
    /// limited to a store only there (its rule looked at that store's orders only); no store known, only segments for all stores
    /// </summary>
    public static bool AppliesInStore(Segment segment, int storeId) =>
        segment.StoreId == 0 || (storeId > 0 && segment.StoreId == storeId);

    /// <summary>
    /// nopCommerce checks discounts while it computes prices and does not catch: a read that fails (a timeout, the
    /// database away) refuses the discount and is logged, instead of failing the shopper's page
    /// </summary>
    public virtual async Task<DiscountRequirementValidationResult> CheckAsync(DiscountRequirementValidationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        try
        {
            return await CheckMembershipAsync(request);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await LogFailedCheckAsync(request, exception);
            return new DiscountRequirementValidationResult();
        }
    }

    protected virtual async Task LogFailedCheckAsync(DiscountRequirementValidationRequest request, Exception exception)
    {
        try
        {
            await _logger.ErrorAsync($"Customer segments: the discount requirement {request.DiscountRequirementId} could not be checked and was refused: {exception.Message}",
                exception, request.Customer);
        }
        catch (Exception logFailure) when (logFailure is not OperationCanceledException)
        {
            //the log is in the same database, likely away too: the page goes on without the discount all the same
        }
    }

    /// <summary>
    /// The check itself: the requirement's segments and the customer's memberships
    /// </summary>
    protected virtual async Task<DiscountRequirementValidationResult> CheckMembershipAsync(DiscountRequirementValidationRequest request)
    {
        var result = new DiscountRequirementValidationResult();

        var customer = request.Customer;
        if (customer is null || customer.Id <= 0 || customer.Deleted)
            return result;

        var requirement = await _segmentRequirementStore.GetAsync(request.DiscountRequirementId);
        if (requirement is null || requirement.IncludeSegmentIds.Count == 0)
            return result;

        if (!_settings.IncludeGuests && !await _customerService.IsRegisteredAsync(customer))
            return result;

        var segments = await GetUsableSegmentsAsync(request.DiscountRequirementId, requirement);
        if (segments is null)
            return result;

        //membership of a segment limited to another store does not count here, for the include and the exclude list alike
        var storeId = request.Store?.Id ?? 0;
        var countingHere = segments.Where(segment => AppliesInStore(segment, storeId)).Select(segment => segment.Id).ToHashSet();
        var memberOf = (await _customerSegmentIdsReader.GetSegmentIdsAsync(customer.Id)).Where(countingHere.Contains).ToHashSet();

        var included = requirement.RequireAll
            ? requirement.IncludeSegmentIds.All(memberOf.Contains)
            : requirement.IncludeSegmentIds.Any(memberOf.Contains);

        result.IsValid = included && !requirement.ExcludeSegmentIds.Any(memberOf.Contains);

        return result;
    }
}
