using Nop.Core.Domain.Orders;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Keeps the products bought per customer and store (<see cref="Domain.CustomerPurchasedProduct"/>) that rules on
/// bought products, categories and manufacturers read. Kept with the order statistics: recomputed and refreshed when
/// they are, current when they are.
/// </summary>
public interface ICustomerPurchasedProductService
{
    /// <summary>
    /// Replaces the rows of the customers in the range with their purchased products (to run inside the transaction in
    /// which the statistics recompute the range)
    /// </summary>
    Task RecomputeCustomersAsync(CustomerIdRange range);

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
    /// Brings the rows of the order's customer in line after a change of the order: one read of the order's products
    /// with their rows and of the rows dated by the order. When the order counts as a purchase, its date is the least
    /// its products' rows can have (missing rows inserted, older dates moved to it); a row that may owe its date to the
    /// order while the order no longer counts or no longer holds its product makes the customer's rows be recomputed
    /// (see <see cref="RefreshCustomerAsync"/>).
    /// </summary>
    /// <param name="order">The order (its id, customer and date: an order's date does not change)</param>
    /// <param name="names">The products, categories and manufacturers whose rows of the customer the same statement reads
    /// (a product by its id, or mapped to a category or manufacturer named); none reads none</param>
    /// <returns>Whether a row was written, and his rows of the products named as the refresh left them (null when none are named or it recomputed his rows)</returns>
    Task<CustomerProductsRefresh> RefreshOrderAsync(Order order, PurchaseNames names = null);

    /// <summary>
    /// The customer's rows as they are
    /// </summary>
    Task<IReadOnlyList<Domain.CustomerPurchasedProduct>> GetCustomerProductsAsync(int customerId);
}
