namespace Nop.Core.Domain.Directory;

public class Country : Nop.Core.BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity, Nop.Core.Domain.Stores.IStoreMappingSupported
{
    public bool AllowsBilling { get; set; }
    public bool AllowsShipping { get; set; }
    public bool LimitedToStores { get; set; }
    public bool Published { get; set; }
    public bool SubjectToVat { get; set; }
    public int DisplayOrder { get; set; }
    public int NumericIsoCode { get; set; }
    public string Name { get; set; }
    public string ThreeLetterIsoCode { get; set; }
    public string TwoLetterIsoCode { get; set; }
}
