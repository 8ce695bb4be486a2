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

        //"not a guest, or registered" as one anti-join (no OR of correlated subqueries, which databases run row by row)
        var guestsOnly = mappings.Where(m => guestRoleIds.Contains(m.CustomerRoleId)
            && !mappings.Any(r => r.CustomerId == m.CustomerId && registeredRoleIds.Contains(r.CustomerRoleId)));

        return customers.Where(c => !guestsOnly.Any(m => m.CustomerId == c.Id));
    }

    /// <summary>
    /// The same customers as <see cref="EligibleCustomers"/>, with the guest test made per customer (not a guest,
    /// or registered: two correlated EXISTS over the role mappings, the roles given by their ids). For a query whose
    /// candidates come from another table (a grouped subquery over orders): PostgreSQL then starts from those
    /// candidates and looks each customer up by key, where the anti-join leads it to scan every customer to probe them.
    /// </summary>
    public static IQueryable<Customer> EligibleCustomersTestedOneByOne(IQueryable<Customer> customers, IQueryable<CustomerCustomerRoleMapping> mappings,
        IReadOnlyCollection<int> guestRoleIds, IReadOnlyCollection<int> registeredRoleIds, CustomerSegmentsSettings settings)
    {
        customers = customers.Where(c => !c.Deleted && !c.IsSystemAccount);
        if (settings.IncludeGuests)
            return customers;

        var guests = guestRoleIds.Distinct().OrderBy(id => id).ToList();
        var registered = registeredRoleIds.Distinct().OrderBy(id => id).ToList();
        return customers.Where(c => !mappings.Any(m => m.CustomerId == c.Id && guests.Contains(m.CustomerRoleId))
            || mappings.Any(m => m.CustomerId == c.Id && registered.Contains(m.CustomerRoleId)));
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
