using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// The definitions rule queries and order statistics share: which customers a segment can have and which
/// orders count as purchases
/// </summary>
public static class SegmentQueries
{
    /// <summary>
    /// Customers a segment can have: not deleted, not system accounts (search engine, background task), and
    /// guests (in the Guests role, not Registered) only when the settings include them
    /// </summary>
    public static IQueryable<Customer> EligibleCustomers(IQueryable<Customer> customers, IQueryable<CustomerRole> roles,
        IQueryable<CustomerCustomerRoleMapping> mappings, CustomerSegmentsSettings settings)
    {
        customers = customers.Where(c => !c.Deleted && !c.IsSystemAccount);
        if (settings.IncludeGuests)
            return customers;

        var guestsRoleName = NopCustomerDefaults.GuestsRoleName;
        var registeredRoleName = NopCustomerDefaults.RegisteredRoleName;
        var guestRoleIds = roles.Where(r => r.SystemName == guestsRoleName).Select(r => r.Id);
        var registeredRoleIds = roles.Where(r => r.SystemName == registeredRoleName).Select(r => r.Id);

        return customers.Where(c =>
            !mappings.Any(m => m.CustomerId == c.Id && guestRoleIds.Contains(m.CustomerRoleId))
            || mappings.Any(m => m.CustomerId == c.Id && registeredRoleIds.Contains(m.CustomerRoleId)));
    }

    /// <summary>
    /// Orders that count as purchases: not deleted, a purchase payment status, not an excluded order status
    /// </summary>
    public static IQueryable<Order> Purchases(IQueryable<Order> orders, CustomerSegmentsSettings settings)
    {
        var paymentStatusIds = PurchasePaymentStatusIds(settings);
        var excludedStatusIds = ExcludedOrderStatusIds(settings);

        orders = orders.Where(o => !o.Deleted && paymentStatusIds.Contains(o.PaymentStatusId));
        if (excludedStatusIds.Count > 0)
            orders = orders.Where(o => !excludedStatusIds.Contains(o.OrderStatusId));

        return orders;
    }

    public static List<int> PurchasePaymentStatusIds(CustomerSegmentsSettings settings) =>
        (settings.PurchasePaymentStatusIds ?? []).Distinct().OrderBy(id => id).ToList();

    public static List<int> ExcludedOrderStatusIds(CustomerSegmentsSettings settings) =>
        (settings.ExcludedOrderStatusIds ?? []).Distinct().OrderBy(id => id).ToList();
}
