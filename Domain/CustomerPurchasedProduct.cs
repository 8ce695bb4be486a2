using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// A product a customer bought in a store, kept by the plugin so that rules on bought products, categories and
/// manufacturers read one indexed row per customer, store and product instead of joining every order item to its
/// order. Which orders count as purchases follows the plugin's settings, as for the order statistics; the row is
/// refreshed when the customer's orders or their items change.
/// </summary>
public class CustomerPurchasedProduct : BaseEntity
{
    public int CustomerId { get; set; }

    /// <summary>
    /// The store of the orders (as the orders have it)
    /// </summary>
    public int StoreId { get; set; }

    public int ProductId { get; set; }

    /// <summary>
    /// Date of the last purchase holding the product in the store
    /// </summary>
    public DateTime LastPurchasedOnUtc { get; set; }
}
