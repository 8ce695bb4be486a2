namespace Nop.Core.Domain.Discounts;

public enum DiscountLimitationType
{
    NTimesOnly = 15,
    NTimesPerCustomer = 25,
    Unlimited = 0,
}
