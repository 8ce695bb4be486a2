using Nop.Core.Domain.Stores;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Switches off the segments limited to deleted stores and names them in the log for the admin to review (choose
/// another store, or all stores), with the segments whose rules name such a store; memberships and history stay
/// </summary>
public class StoreSegmentDeactivator : IStoreSegmentDeactivator
{
    protected readonly ILogger _logger;
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IRepository<Store> _storeRepository;
    protected readonly ISegmentRebuildRunService _segmentRebuildRunService;
    protected readonly ISegmentService _segmentService;

    public StoreSegmentDeactivator(ILogger logger,
        IRepository<Segment> segmentRepository,
        IRepository<Store> storeRepository,
        ISegmentRebuildRunService segmentRebuildRunService,
        ISegmentService segmentService)
    {
        _logger = logger;
        _segmentRepository = segmentRepository;
        _storeRepository = storeRepository;
        _segmentRebuildRunService = segmentRebuildRunService;
        _segmentService = segmentService;
    }

    protected static string Names(IEnumerable<Segment> segments) =>
        string.Join(", ", segments.Select(segment => $"{segment.Name} (#{segment.Id})"));

    /// <summary>
    /// The rules naming a segment see its members only while it is active: the active dynamic segments naming a
    /// deactivated one are rebuilt in the background, as when the admin switches a segment off. A failure is logged:
    /// the store is deleted all the same, the next rebuild corrects them.
    /// </summary>
    protected virtual async Task StartDependentsRebuildAsync(IList<Segment> deactivated)
    {
        try
        {
            await _segmentRebuildRunService.StartWithReferencingSegmentsAsync(deactivated);
        }
        catch (Exception exception)
        {
            await _logger.ErrorAsync("Customer segments: starting the rebuilds of the segments naming the deactivated ones failed; the next rebuild corrects them", exception);
        }
    }

    /// <summary>
    /// Switches off the deleted store's segments and names them, and the segments whose rules name it, in the log
    /// </summary>
    /// <param name="storeId">The deleted store</param>
    /// <param name="storeName">Its name, for the log (empty when its row is gone)</param>
    /// <param name="namingStores">The dynamic segments whose rules name stores, by store</param>
    protected virtual async Task<IList<Segment>> DeactivateStoreSegmentsAsync(int storeId, string storeName, IDictionary<int, IList<Segment>> namingStores)
    {
        var store = string.IsNullOrEmpty(storeName) ? $"#{storeId}" : $"{storeName} (#{storeId})";

        var deactivated = await _segmentService.DeactivateStoreSegmentsAsync(storeId);
        if (deactivated.Count > 0)
        {
            await _logger.WarningAsync($"Customer segments: store {store} was deleted, so the segments limited to it are now inactive; choose another store or all stores for them before you activate them again: {Names(deactivated)}");
        }

        if (namingStores.TryGetValue(storeId, out var naming) && naming.Count > 0)
        {
            await _logger.WarningAsync($"Customer segments: store {store} was deleted, and the rules of these segments name it; their conditions keep matching the customers registered in it, and a rule is saved again only with another store: {Names(naming)}");
        }

        if (deactivated.Count > 0)
            await StartDependentsRebuildAsync(deactivated);

        return deactivated;
    }

    public virtual async Task<IList<Segment>> DeactivateStoreSegmentsAsync(int storeId, string storeName) =>
        await DeactivateStoreSegmentsAsync(storeId, storeName, await _segmentService.GetSegmentsNamingStoresAsync());

    public virtual async Task<IList<Segment>> DeactivateSegmentsOfDeletedStoresAsync()
    {
        var namingStores = await _segmentService.GetSegmentsNamingStoresAsync();

        var storeIds = await _segmentRepository.Table
            .Where(segment => segment.Active && segment.StoreId > 0)
            .Select(segment => segment.StoreId)
            .Distinct()
            .ToListAsync();
        storeIds = storeIds.Union(namingStores.Keys).ToList();
        if (storeIds.Count == 0)
            return [];

        var stores = await _storeRepository.Table
            .Where(store => storeIds.Contains(store.Id))
            .Select(store => new { store.Id, store.Name, store.Deleted })
            .ToListAsync();
        var liveIds = stores.Where(store => !store.Deleted).Select(store => store.Id).ToHashSet();
        var names = stores.ToDictionary(store => store.Id, store => store.Name);

        var deactivated = new List<Segment>();
        foreach (var storeId in storeIds.Where(storeId => !liveIds.Contains(storeId)).Order())
            deactivated.AddRange(await DeactivateStoreSegmentsAsync(storeId, names.GetValueOrDefault(storeId), namingStores));

        return deactivated;
    }
}
