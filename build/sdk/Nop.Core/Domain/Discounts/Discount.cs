namespace Nop.Core.Domain.Discounts;

public class Discount : Nop.Core.BaseEntity
{
    public Nop.Core.Domain.Discounts.DiscountLimitationType DiscountLimitation { get => (Nop.Core.Domain.Discounts.DiscountLimitationType)DiscountLimitationId; set => DiscountLimitationId = (int)value; }
    public Nop.Core.Domain.Discounts.DiscountType DiscountType { get => (Nop.Core.Domain.Discounts.DiscountType)DiscountTypeId; set => DiscountTypeId = (int)value; }
    public System.DateTime? EndDateUtc { get; set; }
    public System.DateTime? StartDateUtc { get; set; }
    public bool AppliedToSubCategories { get; set; }
    public bool IsActive { get; set; }
    public bool IsCumulative { get; set; }
    public bool RequiresCouponCode { get; set; }
    public bool UsePercentage { get; set; }
    public decimal DiscountAmount { get; set; }
    public decimal DiscountPercentage { get; set; }
    public decimal? MaximumDiscountAmount { get; set; }
    public int DiscountLimitationId { get; set; }
    public int DiscountTypeId { get; set; }
    public int LimitationTimes { get; set; }
    public int? MaximumDiscountedQuantity { get; set; }
    public int? VendorId { get; set; }
    public string AdminComment { get; set; }
    public string CouponCode { get; set; }
    public string Name { get; set; }
}
