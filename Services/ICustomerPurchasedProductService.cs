namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Keeps the products bought per customer and store (<see cref="Domain.CustomerPurchasedProduct"/>) that rules on
/// bought products, categories and manufacturers read. Kept with the order statistics: recomputed and refreshed when
/// they are, current when they are.
/// </summary>
public interface ICustomerPurchasedProductService
{
    /// <summary>
    /// Recomputes the rows of every customer from all purchases (the rows are replaced); run inside the statistics'
    /// recompute transaction
    /// </summary>
    Task RecomputeAllAsync();

    /// <summary>
    /// Brings the rows of these customers in line with their purchases (set-based, in batches)
    /// </summary>
    Task RefreshCustomersAsync(IList<int> customerIds);

    /// <summary>
    /// Brings one customer's rows in line with his purchases: one read of the purchased products grouped, one of the
    /// rows, writes only where they differ
    /// </summary>
    /// <returns>Whether a row was written</returns>
    Task<bool> RefreshCustomerAsync(int customerId);

    /// <summary>
    /// The customer's rows as they are
    /// </summary>
    Task<IReadOnlyList<Domain.CustomerPurchasedProduct>> GetCustomerProductsAsync(int customerId);
}
