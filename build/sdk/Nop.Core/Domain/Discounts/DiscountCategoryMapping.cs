namespace Nop.Core.Domain.Discounts;

public class DiscountCategoryMapping : DiscountMapping
{
    public override int EntityId { get; set; }
}
