namespace Nop.Core.Domain.Configuration;

public class Setting : Nop.Core.BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity
{
    public int StoreId { get; set; }
    public string Name { get; set; }
    public string Value { get; set; }
}
