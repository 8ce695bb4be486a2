using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Events;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Newsletter subscriptions, customer generic attributes and shopping cart items
/// </summary>
public class EngagementEventConsumer : SegmentEventConsumerBase,
    IConsumer<EntityInsertedEvent<NewsLetterSubscription>>,
    IConsumer<EntityUpdatedEvent<NewsLetterSubscription>>,
    IConsumer<EntityDeletedEvent<NewsLetterSubscription>>,
    IConsumer<EmailUnsubscribedEvent>,
    IConsumer<EntityDeletedEvent<NewsLetterSubscriptionType>>,
    IConsumer<EntityInsertedEvent<GenericAttribute>>,
    IConsumer<EntityUpdatedEvent<GenericAttribute>>,
    IConsumer<EntityDeletedEvent<GenericAttribute>>,
    IConsumer<EntityInsertedEvent<ShoppingCartItem>>,
    IConsumer<EntityUpdatedEvent<ShoppingCartItem>>,
    IConsumer<EntityDeletedEvent<ShoppingCartItem>>
{
    protected readonly ISegmentRebuildRunService _segmentRebuildRunService;
    protected readonly IRepository<Customer> _customerRepository;

    public EngagementEventConsumer(ILogger logger,
        ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentReevaluationService segmentReevaluationService,
        ISegmentRebuildRunService segmentRebuildRunService,
        IRepository<Customer> customerRepository)
        : base(logger, segmentPendingCustomerService, segmentReevaluationService)
    {
        _segmentRebuildRunService = segmentRebuildRunService;
        _customerRepository = customerRepository;
    }

    /// <summary>
    /// Subscriptions are kept by email: the customers with that email
    /// </summary>
    protected virtual async Task<IEnumerable<int>> GetCustomerIdsByEmailAsync(string email)
    {
        if (string.IsNullOrWhiteSpace(email))
            return [];

        var candidates = new[] { email.Trim(), email.Trim().ToLowerInvariant() }.Distinct().ToArray();

        return await _customerRepository.Table
            .Where(customer => candidates.Contains(customer.Email))
            .Select(customer => customer.Id)
            .ToListAsync();
    }

    protected virtual Task ReevaluateSubscriptionAsync(NewsLetterSubscription subscription, string eventName) =>
        subscription == null
            ? Task.CompletedTask
            : ReevaluateAsync(() => GetCustomerIdsByEmailAsync(subscription.Email), RuleDataSources.Newsletter, eventName);

    protected virtual Task ReevaluateAttributeAsync(GenericAttribute attribute, string eventName) =>
        attribute?.KeyGroup == nameof(Customer)
            ? ReevaluateAsync([attribute.EntityId], RuleDataSources.GenericAttributes, eventName)
            : Task.CompletedTask;

    protected virtual Task ReevaluateCartAsync(ShoppingCartItem item, string eventName) =>
        item == null ? Task.CompletedTask : ReevaluateAsync([item.CustomerId], RuleDataSources.ShoppingCart, eventName);

    public virtual Task HandleEventAsync(EntityInsertedEvent<NewsLetterSubscription> eventMessage) =>
        ReevaluateSubscriptionAsync(eventMessage?.Entity, "newsletter subscription inserted");

    public virtual Task HandleEventAsync(EntityUpdatedEvent<NewsLetterSubscription> eventMessage) =>
        ReevaluateSubscriptionAsync(eventMessage?.Entity, "newsletter subscription updated");

    public virtual Task HandleEventAsync(EntityDeletedEvent<NewsLetterSubscription> eventMessage) =>
        ReevaluateSubscriptionAsync(eventMessage?.Entity, "newsletter subscription deleted");

    /// <summary>
    /// nopCommerce announces the subscription as it was when its email changes (the entity's own event carries the new
    /// email only): the customers with the former email
    /// </summary>
    public virtual Task HandleEventAsync(EmailUnsubscribedEvent eventMessage) =>
        ReevaluateSubscriptionAsync(eventMessage?.Subscription, nameof(EmailUnsubscribedEvent));

    //the type's subscriptions are deleted with it by the database (a cascade), without events
    public virtual Task HandleEventAsync(EntityDeletedEvent<NewsLetterSubscriptionType> eventMessage) =>
        eventMessage?.Entity == null
            ? Task.CompletedTask
            : RunLoggingFailuresAsync(() => _segmentRebuildRunService.StartSegmentsReadingAsync(RuleDataSources.Newsletter), "newsletter subscription type deleted");

    public virtual Task HandleEventAsync(EntityInsertedEvent<GenericAttribute> eventMessage) =>
        ReevaluateAttributeAsync(eventMessage?.Entity, "customer attribute inserted");

    public virtual Task HandleEventAsync(EntityUpdatedEvent<GenericAttribute> eventMessage) =>
        ReevaluateAttributeAsync(eventMessage?.Entity, "customer attribute updated");

    public virtual Task HandleEventAsync(EntityDeletedEvent<GenericAttribute> eventMessage) =>
        ReevaluateAttributeAsync(eventMessage?.Entity, "customer attribute deleted");

    public virtual Task HandleEventAsync(EntityInsertedEvent<ShoppingCartItem> eventMessage) =>
        ReevaluateCartAsync(eventMessage?.Entity, "shopping cart item inserted");

    public virtual Task HandleEventAsync(EntityUpdatedEvent<ShoppingCartItem> eventMessage) =>
        ReevaluateCartAsync(eventMessage?.Entity, "shopping cart item updated");

    public virtual Task HandleEventAsync(EntityDeletedEvent<ShoppingCartItem> eventMessage) =>
        ReevaluateCartAsync(eventMessage?.Entity, "shopping cart item deleted");
}
