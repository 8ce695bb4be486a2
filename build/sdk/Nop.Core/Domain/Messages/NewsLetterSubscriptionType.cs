namespace Nop.Core.Domain.Messages;

public class NewsLetterSubscriptionType : Nop.Core.BaseEntity, Nop.Core.Domain.Localization.ILocalizedEntity, Nop.Core.Domain.Stores.IStoreMappingSupported
{
    public bool LimitedToStores { get; set; }
    public bool TickedByDefault { get; set; }
    public int DisplayOrder { get; set; }
    public string Name { get; set; }
}
