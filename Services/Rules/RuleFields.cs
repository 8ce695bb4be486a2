namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Names of the fields of the catalog, as they appear in rule JSON
/// </summary>
public static class RuleFields
{
    //demographic
    public const string Age = "customer.age";
    public const string BirthMonth = "customer.birthMonth";
    public const string Gender = "customer.gender";
    public const string Company = "customer.company";
    public const string HasVatNumber = "customer.hasVatNumber";
    public const string CustomerAttributeValues = "customer.attributeValues";
    public const string CustomerAttributeText = "customer.attributeText";
    public const string GenericAttribute = "customer.genericAttribute";

    //geographic
    public const string BillingCountry = "billingAddress.country";
    public const string BillingStateProvince = "billingAddress.stateProvince";
    public const string BillingCity = "billingAddress.city";
    public const string BillingZipPostalCode = "billingAddress.zipPostalCode";
    public const string ShippingCountry = "shippingAddress.country";
    public const string ShippingStateProvince = "shippingAddress.stateProvince";
    public const string ShippingCity = "shippingAddress.city";
    public const string ShippingZipPostalCode = "shippingAddress.zipPostalCode";

    //behaviour
    public const string OrderCount = "orders.count";
    public const string TotalSpent = "orders.totalSpent";
    public const string AverageOrderValue = "orders.averageValue";
    public const string FirstOrderDate = "orders.firstDate";
    public const string LastOrderDate = "orders.lastDate";
    public const string DaysSinceLastOrder = "orders.daysSinceLast";
    public const string OrderCountInPeriod = "orders.countInPeriod";
    public const string SpentInPeriod = "orders.spentInPeriod";
    public const string BoughtProducts = "orders.products";
    public const string BoughtCategories = "orders.categories";
    public const string BoughtManufacturers = "orders.manufacturers";
    public const string RefundedOrderCount = "orders.refundedCount";
    public const string CancelledOrderCount = "orders.cancelledCount";
    public const string AbandonedCart = "cart.abandoned";
    public const string WishlistNotEmpty = "wishlist.notEmpty";

    //RFM
    public const string RfmRecency = "rfm.recency";
    public const string RfmFrequency = "rfm.frequency";
    public const string RfmMonetary = "rfm.monetary";
    public const string RfmGroup = "rfm.group";

    //engagement
    public const string RegisteredDate = "customer.registeredDate";
    public const string LastLoginDate = "customer.lastLoginDate";
    public const string LastActivityDate = "customer.lastActivityDate";
    public const string Active = "customer.active";
    public const string NewsletterSubscribed = "newsletter.subscribed";
    public const string CustomerRoles = "customer.roles";
    public const string RegisteredInStore = "customer.registeredInStore";
    public const string Affiliate = "customer.affiliate";
    public const string Vendor = "customer.vendor";
    public const string TaxExempt = "customer.taxExempt";

    //other segments
    public const string SegmentMember = "segment.member";
}
