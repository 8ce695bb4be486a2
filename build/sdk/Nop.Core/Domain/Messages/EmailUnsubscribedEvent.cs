namespace Nop.Core.Domain.Messages;

public class EmailUnsubscribedEvent
{
    public EmailUnsubscribedEvent(Nop.Core.Domain.Messages.NewsLetterSubscription subscription)
    {
        Subscription = subscription;
    }

    public Nop.Core.Domain.Messages.NewsLetterSubscription Subscription { get; }
}
