using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The products, categories and manufacturers that rules' purchase conditions name, per field
/// (<see cref="RuleFields.BoughtProducts"/>, <see cref="RuleFields.BoughtCategories"/>, <see cref="RuleFields.BoughtManufacturers"/>)
/// </summary>
public class PurchaseNames
{
    protected readonly Dictionary<string, HashSet<int>> _ids = new()
    {
        [RuleFields.BoughtProducts] = [],
        [RuleFields.BoughtCategories] = [],
        [RuleFields.BoughtManufacturers] = []
    };

    /// <summary>
    /// Whether the field is a purchase of products, categories or manufacturers
    /// </summary>
    public static bool IsPurchaseField(string field) =>
        field is RuleFields.BoughtProducts or RuleFields.BoughtCategories or RuleFields.BoughtManufacturers;

    /// <summary>
    /// The number of ids named, all fields together
    /// </summary>
    public virtual int Count => _ids.Values.Sum(ids => ids.Count);

    /// <summary>
    /// Names the ids of a field
    /// </summary>
    public virtual void Add(string field, IEnumerable<int> ids)
    {
        if (!_ids.TryGetValue(field, out var named))
            throw new ArgumentException($"'{field}' is no purchase of products", nameof(field));

        named.UnionWith(ids ?? []);
    }

    /// <summary>
    /// Names the ids of the other names
    /// </summary>
    public virtual void Add(PurchaseNames names)
    {
        foreach (var (field, ids) in names?._ids ?? [])
            Add(field, ids);
    }

    /// <summary>
    /// The ids named of the field
    /// </summary>
    public virtual IReadOnlyCollection<int> Of(string field) =>
        _ids.TryGetValue(field ?? string.Empty, out var ids) ? ids : [];
}

/// <summary>
/// A product a customer bought in one store, named by a rule through its id, or one of its categories or manufacturers
/// </summary>
/// <param name="Field">How the product is named: the purchase field</param>
/// <param name="Id">The product, category or manufacturer named</param>
/// <param name="StoreId">The store of the purchase</param>
/// <param name="ProductId">The product bought</param>
/// <param name="LastPurchasedOnUtc">The date of the last purchase of the product in the store</param>
public record NamedPurchase(string Field, int Id, int StoreId, int ProductId, DateTime LastPurchasedOnUtc);

/// <summary>
/// One customer's products bought (his <see cref="Domain.CustomerPurchasedProduct"/> rows) among those some names
/// designate, tested as the rules on bought products, categories and manufacturers test his rows
/// </summary>
public class CustomerNamedPurchases
{
    /// <param name="names">The ids whose purchases are known</param>
    /// <param name="purchases">The customer's rows of the products named, once per name</param>
    public CustomerNamedPurchases(PurchaseNames names, IEnumerable<NamedPurchase> purchases)
    {
        Names = names ?? new PurchaseNames();
        Purchases = (purchases ?? []).Distinct().ToList();
    }

    /// <summary>
    /// The ids whose purchases are known
    /// </summary>
    public PurchaseNames Names { get; }

    /// <summary>
    /// The customer's rows of the products named, once per name
    /// </summary>
    public IReadOnlyList<NamedPurchase> Purchases { get; }

    /// <summary>
    /// Whether the customer bought one (or each) of the ids of the field in the store (0: any store) since a moment
    /// (null: ever); null when one of the ids is not known
    /// </summary>
    public virtual bool? Bought(string field, IReadOnlyCollection<int> ids, int storeId, DateTime? fromUtc, bool each)
    {
        var known = Names.Of(field);
        if (ids == null || ids.Any(id => !known.Contains(id)))
            return null;

        var bought = Purchases
            .Where(purchase => purchase.Field == field
                && (storeId <= 0 || purchase.StoreId == storeId)
                && (fromUtc == null || purchase.LastPurchasedOnUtc >= fromUtc.Value))
            .Select(purchase => purchase.Id)
            .ToHashSet();

        return each ? ids.All(bought.Contains) : ids.Any(bought.Contains);
    }
}
