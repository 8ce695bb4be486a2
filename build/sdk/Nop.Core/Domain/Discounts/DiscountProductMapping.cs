namespace Nop.Core.Domain.Discounts;

public class DiscountProductMapping : DiscountMapping
{
    public override int EntityId { get; set; }
}
