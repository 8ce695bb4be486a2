namespace Nop.Core.Domain.Vendors;

public class Vendor : Nop.Core.BaseEntity, Nop.Core.Domain.Common.IMetaTagsSupported, Nop.Core.Domain.Common.ISoftDeletedEntity, Nop.Core.Domain.Localization.ILocalizedEntity, Nop.Core.Domain.Seo.ISlugSupported
{
    public bool Active { get; set; }
    public bool AllowCustomersToSelectPageSize { get; set; }
    public bool Deleted { get; set; }
    public bool ManuallyPriceRange { get; set; }
    public bool PriceRangeFiltering { get; set; }
    public decimal PriceFrom { get; set; }
    public decimal PriceTo { get; set; }
    public int AddressId { get; set; }
    public int DisplayOrder { get; set; }
    public int PageSize { get; set; }
    public int PictureId { get; set; }
    public int? PmCustomerId { get; set; }
    public string AdminComment { get; set; }
    public string Description { get; set; }
    public string Email { get; set; }
    public string MetaDescription { get; set; }
    public string MetaKeywords { get; set; }
    public string MetaTitle { get; set; }
    public string Name { get; set; }
    public string PageSizeOptions { get; set; }
}
