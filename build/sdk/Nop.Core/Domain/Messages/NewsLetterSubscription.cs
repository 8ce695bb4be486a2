namespace Nop.Core.Domain.Messages;

public class NewsLetterSubscription : Nop.Core.BaseEntity
{
    public System.DateTime CreatedOnUtc { get; set; }
    public System.Guid NewsLetterSubscriptionGuid { get; set; }
    public bool Active { get; set; }
    public int LanguageId { get; set; }
    public int StoreId { get; set; }
    public int TypeId { get; set; }
    public string Email { get; set; }
}
