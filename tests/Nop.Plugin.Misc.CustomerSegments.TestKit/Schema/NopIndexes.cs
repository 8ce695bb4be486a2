namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

/// <summary>
/// An index nopCommerce creates on one of its tables
/// </summary>
public record NopIndex(string Table, string Name, IReadOnlyList<string> Columns, bool Unique = false);

/// <summary>
/// The indexes nopCommerce 4.90 has on the tables the plugin reads, so that queries meet the same access paths
/// as in a real store: one per foreign-key column (nopCommerce indexes every foreign key) and those of its
/// installation index migration. Foreign-key constraints themselves are not created, so tests can insert rows
/// without their parents.
/// </summary>
public static class NopIndexes
{
    private static readonly (string Table, string[] Columns)[] _foreignKeys =
    [
        ("Customer", ["CurrencyId", "LanguageId", "BillingAddress_Id", "ShippingAddress_Id"]),
        ("Customer_CustomerRole_Mapping", ["Customer_Id", "CustomerRole_Id"]),
        ("CustomerAddresses", ["Address_Id", "Customer_Id"]),
        ("Address", ["CountryId", "StateProvinceId"]),
        ("Order", ["BillingAddressId", "CustomerId", "PickupAddressId", "ShippingAddressId"]),
        ("OrderItem", ["OrderId", "ProductId"]),
        ("ShoppingCartItem", ["CustomerId", "ProductId", "CustomWishlistId"]),
        ("NewsLetterSubscription", ["TypeId"]),
        ("Product_Category_Mapping", ["CategoryId", "ProductId"]),
        ("Product_Manufacturer_Mapping", ["ManufacturerId", "ProductId"]),
        ("DiscountRequirement", ["DiscountId", "ParentId"]),
        ("StateProvince", ["CountryId"]),
        ("CustomerAttributeValue", ["CustomerAttributeId"])
    ];

    private static readonly NopIndex[] _declared =
    [
        new("Order", "AK_Order_OrderGuid", ["OrderGuid"], Unique: true),
        new("Order", "IX_Order_CreatedOnUtc", ["CreatedOnUtc"]),
        new("ShoppingCartItem", "IX_ShoppingCartItem_ShoppingCartTypeId_CustomerId", ["ShoppingCartTypeId", "CustomerId"]),
        new("NewsLetterSubscription", "IX_NewsletterSubscription_Email_StoreId", ["Email", "StoreId"]),
        new("GenericAttribute", "IX_GenericAttribute_EntityId_and_KeyGroup", ["EntityId", "KeyGroup"]),
        new("Customer", "IX_Customer_Username", ["Username"]),
        new("Customer", "IX_Customer_SystemName", ["SystemName"]),
        new("Customer", "IX_Customer_Email", ["Email"]),
        new("Customer", "IX_Customer_CustomerGuid", ["CustomerGuid"]),
        new("Customer", "IX_Customer_CreatedOnUtc", ["CreatedOnUtc"]),
        new("Customer", "IX_Customer_Deleted", ["Deleted"]),
        new("Country", "IX_Country_DisplayOrder", ["DisplayOrder"]),
        new("Category", "IX_Category_DisplayOrder", ["DisplayOrder"]),
        new("Manufacturer", "IX_Manufacturer_DisplayOrder", ["DisplayOrder"]),
        new("Product_Category_Mapping", "IX_PCM_Product_and_Category", ["CategoryId", "ProductId"]),
        new("Product_Category_Mapping", "IX_PCM_ProductId_Extended", ["ProductId", "IsFeaturedProduct"]),
        new("Product_Manufacturer_Mapping", "IX_PMM_Product_and_Manufacturer", ["ManufacturerId", "ProductId"]),
        new("Product_Manufacturer_Mapping", "IX_PMM_ProductId_Extended", ["ProductId", "IsFeaturedProduct"]),
        new("Product", "IX_Product_Delete_Id", ["Deleted", "Id"]),
        new("Product", "IX_Product_Published", ["Published"])
    ];

    /// <summary>
    /// All the indexes, foreign-key ones first
    /// </summary>
    public static IReadOnlyList<NopIndex> All { get; } =
        _foreignKeys
            .SelectMany(fk => fk.Columns.Select(column => new NopIndex(fk.Table, $"IX_{fk.Table}_{column}", [column])))
            .Concat(_declared)
            .ToList();

    public static IEnumerable<NopIndex> For(string table) => All.Where(i => i.Table == table);
}
