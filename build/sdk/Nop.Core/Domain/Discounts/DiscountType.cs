namespace Nop.Core.Domain.Discounts;

public enum DiscountType
{
    AssignedToCategories = 5,
    AssignedToManufacturers = 6,
    AssignedToOrderSubTotal = 20,
    AssignedToOrderTotal = 1,
    AssignedToShipping = 10,
    AssignedToSkus = 2,
}
