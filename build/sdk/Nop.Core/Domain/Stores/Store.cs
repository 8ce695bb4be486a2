namespace Nop.Core.Domain.Stores;

public class Store : Nop.Core.BaseEntity, Nop.Core.Domain.Common.ISoftDeletedEntity, Nop.Core.Domain.Localization.ILocalizedEntity
{
    public bool Deleted { get; set; }
    public bool SslEnabled { get; set; }
    public int DefaultLanguageId { get; set; }
    public int DisplayOrder { get; set; }
    public string CompanyAddress { get; set; }
    public string CompanyName { get; set; }
    public string CompanyPhoneNumber { get; set; }
    public string CompanyVat { get; set; }
    public string DefaultMetaDescription { get; set; }
    public string DefaultMetaKeywords { get; set; }
    public string DefaultTitle { get; set; }
    public string HomepageDescription { get; set; }
    public string HomepageTitle { get; set; }
    public string Hosts { get; set; }
    public string Name { get; set; }
    public string Url { get; set; }
}
