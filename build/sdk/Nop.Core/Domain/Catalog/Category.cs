namespace Nop.Core.Domain.Catalog;

public class Category : Nop.Core.BaseEntity, Nop.Core.Domain.Common.IMetaTagsSupported, Nop.Core.Domain.Common.ISoftDeletedEntity, Nop.Core.Domain.Discounts.IDiscountSupported<Nop.Core.Domain.Discounts.DiscountCategoryMapping>, Nop.Core.Domain.Localization.ILocalizedEntity, Nop.Core.Domain.Security.IAclSupported, Nop.Core.Domain.Seo.ISlugSupported, Nop.Core.Domain.Stores.IStoreMappingSupported
{
    public System.DateTime CreatedOnUtc { get; set; }
    public System.DateTime UpdatedOnUtc { get; set; }
    public bool AllowCustomersToSelectPageSize { get; set; }
    public bool Deleted { get; set; }
    public bool LimitedToStores { get; set; }
    public bool ManuallyPriceRange { get; set; }
    public bool PriceRangeFiltering { get; set; }
    public bool Published { get; set; }
    public bool RestrictFromVendors { get; set; }
    public bool ShowOnHomepage { get; set; }
    public bool SubjectToAcl { get; set; }
    public decimal PriceFrom { get; set; }
    public decimal PriceTo { get; set; }
    public int CategoryTemplateId { get; set; }
    public int DisplayOrder { get; set; }
    public int PageSize { get; set; }
    public int ParentCategoryId { get; set; }
    public int PictureId { get; set; }
    public string Description { get; set; }
    public string MetaDescription { get; set; }
    public string MetaKeywords { get; set; }
    public string MetaTitle { get; set; }
    public string Name { get; set; }
    public string PageSizeOptions { get; set; }
}
