namespace Nop.Core.Domain.Directory;

public class StateProvince : Nop.Core.BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity
{
    public bool Published { get; set; }
    public int CountryId { get; set; }
    public int DisplayOrder { get; set; }
    public string Abbreviation { get; set; }
    public string Name { get; set; }
}
