namespace Nop.Core.Domain.Catalog;

public class ProductCategory : Nop.Core.BaseEntity
{
    public bool IsFeaturedProduct { get; set; }
    public int CategoryId { get; set; }
    public int DisplayOrder { get; set; }
    public int ProductId { get; set; }
}
