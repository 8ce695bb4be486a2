using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// A named lease in the database: at most one nopCommerce instance holds it until it expires, so that
/// instances sharing one database never run the same job at the same time
/// </summary>
public class SegmentLease : BaseEntity
{
    public string Name { get; set; }

    /// <summary>
    /// Who holds the lease (one value per run), or null
    /// </summary>
    public string Holder { get; set; }

    /// <summary>
    /// When the lease frees itself if its holder never releases it
    /// </summary>
    public DateTime ExpiresOnUtc { get; set; }
}
