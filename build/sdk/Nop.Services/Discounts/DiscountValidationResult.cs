namespace Nop.Services.Discounts;

public class DiscountValidationResult : BaseNopResult
{
    public bool IsValid { get; set; }
}
