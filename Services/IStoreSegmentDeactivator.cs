using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Switches off the segments of deleted stores, as the admin is told in the log
/// </summary>
public interface IStoreSegmentDeactivator
{
    /// <summary>
    /// The store was deleted: its active segments become inactive (memberships and history kept), one warning in the
    /// log names them and another the segments whose rules name the store (they keep running), and the active
    /// segments whose rules name the inactive ones are rebuilt in the background
    /// </summary>
    /// <param name="storeId">The store</param>
    /// <param name="storeName">Its name, for the log (empty when its row is gone)</param>
    /// <returns>The segments made inactive</returns>
    Task<IList<Segment>> DeactivateStoreSegmentsAsync(int storeId, string storeName);

    /// <summary>
    /// The same for every store deleted (or whose row is gone) that active segments are still limited to or rules
    /// still name: the stores deleted before the plugin switched their segments off by itself; the rules naming a
    /// deleted store are named again at each call, until they name another
    /// </summary>
    /// <returns>The segments made inactive</returns>
    Task<IList<Segment>> DeactivateSegmentsOfDeletedStoresAsync();
}
