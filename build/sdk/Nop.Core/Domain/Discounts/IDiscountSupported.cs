namespace Nop.Core.Domain.Discounts;

public interface IDiscountSupported<T> where T : DiscountMapping
{
    int Id { get; set; }
}
