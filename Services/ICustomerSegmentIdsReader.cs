namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The active segments of a customer, as the storefront reads them: through the per-request and the static cache
/// </summary>
public interface ICustomerSegmentIdsReader
{
    Task<IReadOnlySet<int>> GetSegmentIdsAsync(int customerId);
}
