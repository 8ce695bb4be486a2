using Nop.Core.Domain.Customers;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Events;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Changes to a customer's own record and roles: the segments that read them, and, since these also decide
/// whether the customer is eligible at all, the segments an eligibility change concerns (see
/// <see cref="SegmentReevaluationService.EligibilitySources"/>). A new visitor's insert (no email, no username) is left to
/// the event of his Guests role, which nopCommerce adds right after it: re-evaluated at the insert, a customer without
/// roles yet would pass for an eligible one and enter segments for an instant. A customer inserted with an email or a
/// username (the admin's new customer, an import) is evaluated at once: an import adds only the roles its file names,
/// maybe none.
/// </summary>
public class CustomerEventConsumer : SegmentEventConsumerBase,
    IConsumer<EntityInsertedEvent<Customer>>,
    IConsumer<EntityUpdatedEvent<Customer>>,
    IConsumer<EntityDeletedEvent<Customer>>,
    IConsumer<CustomerRegisteredEvent>,
    IConsumer<CustomerLoggedinEvent>,
    IConsumer<EntityInsertedEvent<CustomerCustomerRoleMapping>>,
    IConsumer<EntityUpdatedEvent<CustomerCustomerRoleMapping>>,
    IConsumer<EntityDeletedEvent<CustomerCustomerRoleMapping>>,
    IConsumer<EntityUpdatedEvent<CustomerRole>>,
    IConsumer<EntityDeletedEvent<CustomerRole>>
{
    protected readonly ISegmentRebuildRunService _segmentRebuildRunService;

    public CustomerEventConsumer(ILogger logger,
        ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentReevaluationService segmentReevaluationService,
        ISegmentRebuildRunService segmentRebuildRunService)
        : base(logger, segmentPendingCustomerService, segmentReevaluationService)
    {
        _segmentRebuildRunService = segmentRebuildRunService;
    }

    public virtual Task HandleEventAsync(EntityInsertedEvent<Customer> eventMessage) =>
        eventMessage?.Entity is { } customer && (!string.IsNullOrEmpty(customer.Email) || !string.IsNullOrEmpty(customer.Username))
            ? ReevaluateAsync([customer.Id], RuleDataSources.Customer | RuleDataSources.CustomerRoles, "customer inserted")
            : Task.CompletedTask;

    public virtual Task HandleEventAsync(EntityUpdatedEvent<Customer> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.Id ?? 0], RuleDataSources.Customer, "customer updated");

    public virtual Task HandleEventAsync(EntityDeletedEvent<Customer> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.Id ?? 0], RuleDataSources.Customer, "customer deleted");

    public virtual Task HandleEventAsync(CustomerRegisteredEvent eventMessage) =>
        ReevaluateAsync([eventMessage?.Customer?.Id ?? 0], RuleDataSources.Customer | RuleDataSources.CustomerRoles, nameof(CustomerRegisteredEvent));

    //a guest who logs in hands over the shopping cart (and may be merged into the registered customer)
    public virtual Task HandleEventAsync(CustomerLoggedinEvent eventMessage) =>
        ReevaluateAsync([eventMessage?.Customer?.Id ?? 0, eventMessage?.GuestCustomer?.Id ?? 0],
            RuleDataSources.Customer | RuleDataSources.ShoppingCart, nameof(CustomerLoggedinEvent));

    public virtual Task HandleEventAsync(EntityInsertedEvent<CustomerCustomerRoleMapping> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.CustomerId ?? 0], RuleDataSources.CustomerRoles, "customer role added");

    public virtual Task HandleEventAsync(EntityUpdatedEvent<CustomerCustomerRoleMapping> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.CustomerId ?? 0], RuleDataSources.CustomerRoles, "customer role changed");

    public virtual Task HandleEventAsync(EntityDeletedEvent<CustomerCustomerRoleMapping> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.CustomerId ?? 0], RuleDataSources.CustomerRoles, "customer role removed");

    //a role made exempt from tax (or active again) changes who is exempt: every customer of the role, found by the rebuild
    public virtual Task HandleEventAsync(EntityUpdatedEvent<CustomerRole> eventMessage) =>
        eventMessage?.Entity == null
            ? Task.CompletedTask
            : RunLoggingFailuresAsync(() => _segmentRebuildRunService.StartSegmentsReadingAsync(RuleDataSources.CustomerRoles), "customer role changed");

    //the role's mappings are deleted with it by the database (a cascade), without events: whose they were is not known any more
    public virtual Task HandleEventAsync(EntityDeletedEvent<CustomerRole> eventMessage) =>
        eventMessage?.Entity == null
            ? Task.CompletedTask
            : RunLoggingFailuresAsync(() => _segmentRebuildRunService.StartSegmentsReadingAsync(RuleDataSources.CustomerRoles), "customer role deleted");
}
