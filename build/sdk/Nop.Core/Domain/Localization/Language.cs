namespace Nop.Core.Domain.Localization;

public class Language : Nop.Core.BaseEntity, Nop.Core.Domain.Stores.IStoreMappingSupported
{
    public bool LimitedToStores { get; set; }
    public bool Published { get; set; }
    public string Name { get; set; }
}
