namespace Nop.Core.Domain.Discounts;

public class DiscountManufacturerMapping : DiscountMapping
{
    public override int EntityId { get; set; }
}
