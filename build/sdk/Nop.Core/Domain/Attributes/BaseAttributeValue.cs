namespace Nop.Core.Domain.Attributes;

public abstract class BaseAttributeValue : Nop.Core.BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity
{
    public bool IsPreSelected { get; set; }
    public int AttributeId { get; set; }
    public int DisplayOrder { get; set; }
    public string Name { get; set; }
}
