namespace Nop.Core.Domain.Customers;

public class CustomerRole : Nop.Core.BaseEntity
{
    public bool Active { get; set; }
    public bool EnablePasswordLifetime { get; set; }
    public bool FreeShipping { get; set; }
    public bool IsSystemRole { get; set; }
    public bool OverrideTaxDisplayType { get; set; }
    public bool TaxExempt { get; set; }
    public int DefaultTaxDisplayTypeId { get; set; }
    public int PurchasedWithProductId { get; set; }
    public string Name { get; set; }
    public string SystemName { get; set; }
}
