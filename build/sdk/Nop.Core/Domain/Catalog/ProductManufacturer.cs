namespace Nop.Core.Domain.Catalog;

public class ProductManufacturer : Nop.Core.BaseEntity
{
    public bool IsFeaturedProduct { get; set; }
    public int DisplayOrder { get; set; }
    public int ManufacturerId { get; set; }
    public int ProductId { get; set; }
}
