namespace Nop.Core.Domain.Attributes;

public abstract class BaseAttribute : Nop.Core.BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity
{
    public Nop.Core.Domain.Catalog.AttributeControlType AttributeControlType { get => (Nop.Core.Domain.Catalog.AttributeControlType)AttributeControlTypeId; set => AttributeControlTypeId = (int)value; }
    public bool IsRequired { get; set; }
    public int AttributeControlTypeId { get; set; }
    public int DisplayOrder { get; set; }
    public string Name { get; set; }
}
