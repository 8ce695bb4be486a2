using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// Rows the admin tests insert through the real repositories
/// </summary>
public class AdminTestData
{
    private readonly TestShop _shop;

    public AdminTestData(TestShop shop)
    {
        _shop = shop;
    }

    private IRepository<T> Repo<T>() where T : Nop.Core.BaseEntity => _shop.Repository<T>();

    public async Task<Customer> CustomerAsync(string email, DateTime? dateOfBirth = null, string firstName = null, string lastName = null,
        bool deleted = false, bool systemAccount = false)
    {
        var customer = new Customer
        {
            CustomerGuid = Guid.NewGuid(),
            Email = email,
            Username = email,
            FirstName = firstName,
            LastName = lastName,
            DateOfBirth = dateOfBirth,
            Active = true,
            Deleted = deleted,
            IsSystemAccount = systemAccount,
            CreatedOnUtc = new DateTime(2025, 1, 1),
            LastActivityDateUtc = new DateTime(2025, 1, 1)
        };
        await Repo<Customer>().InsertAsync(customer);
        return customer;
    }

    /// <summary>
    /// A guest as nopCommerce makes one: no e-mail, in the Guests role only
    /// </summary>
    public async Task<Customer> GuestAsync()
    {
        var guest = await CustomerAsync(null);
        var role = await Repo<CustomerRole>().Table.FirstOrDefaultAsync(r => r.SystemName == NopCustomerDefaults.GuestsRoleName);
        if (role == null)
        {
            role = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
            await Repo<CustomerRole>().InsertAsync(role);
        }

        await Repo<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = guest.Id, CustomerRoleId = role.Id });
        return guest;
    }

    public async Task<Order> OrderAsync(int customerId, decimal total, DateTime createdOnUtc, PaymentStatus paymentStatus = PaymentStatus.Paid,
        OrderStatus orderStatus = OrderStatus.Complete, int storeId = 1, bool deleted = false)
    {
        var order = new Order
        {
            OrderGuid = Guid.NewGuid(),
            CustomerId = customerId,
            StoreId = storeId,
            OrderTotal = total,
            PaymentStatusId = (int)paymentStatus,
            OrderStatusId = (int)orderStatus,
            ShippingStatusId = 10,
            CreatedOnUtc = createdOnUtc,
            Deleted = deleted,
            CustomOrderNumber = Guid.NewGuid().ToString("N")[..10],
            CustomerCurrencyCode = "USD",
            CurrencyRate = 1
        };
        await Repo<Order>().InsertAsync(order);
        return order;
    }

    public async Task<Segment> SegmentAsync(string name, SegmentType type = SegmentType.Dynamic, int storeId = 0)
    {
        var segment = new Segment
        {
            Name = name,
            SegmentTypeId = (int)type,
            Active = true,
            StoreId = storeId,
            CreatedOnUtc = new DateTime(2025, 1, 1),
            UpdatedOnUtc = new DateTime(2025, 1, 1)
        };
        await Repo<Segment>().InsertAsync(segment);
        return segment;
    }

    public async Task<SegmentMembership> MembershipAsync(int segmentId, int customerId, DateTime enteredOnUtc, DateTime? leftOnUtc = null)
    {
        var membership = new SegmentMembership
        {
            SegmentId = segmentId,
            CustomerId = customerId,
            EnteredOnUtc = enteredOnUtc,
            LeftOnUtc = leftOnUtc
        };
        await Repo<SegmentMembership>().InsertAsync(membership);
        return membership;
    }
}
