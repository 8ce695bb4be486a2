using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Events;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Events;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Addresses changed or removed, and addresses added to or removed from a customer, move their customers in or out
/// of geographic segments. An address's insert is not consumed: a new address belongs to no customer until he is
/// given it (an address book entry, his billing or shipping address), whose own event follows; nopCommerce also
/// inserts a copy of the addresses of every order placed.
/// </summary>
public class AddressEventConsumer : SegmentEventConsumerBase,
    IConsumer<EntityUpdatedEvent<Address>>,
    IConsumer<EntityDeletedEvent<Address>>,
    IConsumer<EntityInsertedEvent<CustomerAddressMapping>>,
    IConsumer<EntityUpdatedEvent<CustomerAddressMapping>>,
    IConsumer<EntityDeletedEvent<CustomerAddressMapping>>
{
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<CustomerAddressMapping> _customerAddressMappingRepository;

    public AddressEventConsumer(ILogger logger,
        ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentReevaluationService segmentReevaluationService,
        IRepository<Customer> customerRepository,
        IRepository<CustomerAddressMapping> customerAddressMappingRepository)
        : base(logger, segmentPendingCustomerService, segmentReevaluationService)
    {
        _customerRepository = customerRepository;
        _customerAddressMappingRepository = customerAddressMappingRepository;
    }

    /// <summary>
    /// The customers whose address book, billing or shipping address this is
    /// </summary>
    protected virtual async Task<IEnumerable<int>> GetCustomerIdsOfAddressAsync(int addressId)
    {
        if (addressId <= 0)
            return [];

        var mapped = await _customerAddressMappingRepository.Table
            .Where(mapping => mapping.AddressId == addressId)
            .Select(mapping => mapping.CustomerId)
            .ToListAsync();
        var referencing = await _customerRepository.Table
            .Where(customer => customer.BillingAddressId == addressId || customer.ShippingAddressId == addressId)
            .Select(customer => customer.Id)
            .ToListAsync();

        return mapped.Concat(referencing);
    }

    protected virtual Task ReevaluateAddressAsync(Address address, string eventName) =>
        address == null
            ? Task.CompletedTask
            : ReevaluateAsync(() => GetCustomerIdsOfAddressAsync(address.Id), RuleDataSources.Addresses, eventName);

    public virtual Task HandleEventAsync(EntityUpdatedEvent<Address> eventMessage) =>
        ReevaluateAddressAsync(eventMessage?.Entity, "address updated");

    public virtual Task HandleEventAsync(EntityDeletedEvent<Address> eventMessage) =>
        ReevaluateAddressAsync(eventMessage?.Entity, "address deleted");

    public virtual Task HandleEventAsync(EntityInsertedEvent<CustomerAddressMapping> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.CustomerId ?? 0], RuleDataSources.Addresses, "customer address added");

    public virtual Task HandleEventAsync(EntityUpdatedEvent<CustomerAddressMapping> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.CustomerId ?? 0], RuleDataSources.Addresses, "customer address changed");

    public virtual Task HandleEventAsync(EntityDeletedEvent<CustomerAddressMapping> eventMessage) =>
        ReevaluateAsync([eventMessage?.Entity?.CustomerId ?? 0], RuleDataSources.Addresses, "customer address removed");
}
