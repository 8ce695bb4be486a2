namespace Nop.Core.Domain.Discounts;

public abstract class DiscountMapping : Nop.Core.BaseEntity
{
    protected DiscountMapping()
    {
    }

    public new int Id { get; }

    public int DiscountId { get; set; }

    public abstract int EntityId { get; set; }
}
