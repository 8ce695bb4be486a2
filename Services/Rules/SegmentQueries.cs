using System.Linq.Expressions;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Domain;

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

        var guestRoleIds = roles.Where(SystemNameIs(NopCustomerDefaults.GuestsRoleName)).Select(r => r.Id);
        var registeredRoleIds = roles.Where(SystemNameIs(NopCustomerDefaults.RegisteredRoleName)).Select(r => r.Id);

        //"not a guest, or registered" as one anti-join (no OR of correlated subqueries, which databases run row by row)
        var guestsOnly = mappings.Where(m => guestRoleIds.Contains(m.CustomerRoleId)
            && !mappings.Any(r => r.CustomerId == m.CustomerId && registeredRoleIds.Contains(r.CustomerRoleId)));

        return customers.Where(c => !guestsOnly.Any(m => m.CustomerId == c.Id));
    }

    /// <summary>
    /// The same customers as <see cref="EligibleCustomers"/> as three id queries that each read one table (or index)
    /// without a join, for reading all eligible customers into memory: the customers not deleted and not system
    /// accounts, minus those in the Guests role and not in the Registered role (see <see cref="EligibilityQueries"/>).
    /// Measured at 1,000,000 customers on PostgreSQL, the three reads take about half as long as the anti-join, whose
    /// hash of the guests' mappings spills to disk.
    /// </summary>
    public static EligibilityQueries EligibilityParts(IQueryable<Customer> customers, IQueryable<CustomerRole> roles,
        IQueryable<CustomerCustomerRoleMapping> mappings, CustomerSegmentsSettings settings)
    {
        var candidates = customers.Where(c => !c.Deleted && !c.IsSystemAccount).Select(c => c.Id);
        if (settings.IncludeGuests)
            return new EligibilityQueries(candidates, null, null);

        var guestRoleIds = roles.Where(SystemNameIs(NopCustomerDefaults.GuestsRoleName)).Select(r => r.Id);
        var registeredRoleIds = roles.Where(SystemNameIs(NopCustomerDefaults.RegisteredRoleName)).Select(r => r.Id);

        return new EligibilityQueries(candidates,
            mappings.Where(m => guestRoleIds.Contains(m.CustomerRoleId)).Select(m => m.CustomerId),
            mappings.Where(m => registeredRoleIds.Contains(m.CustomerRoleId)).Select(m => m.CustomerId));
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
    /// The role of a system name, the name written into the expression as a constant: linq2db builds a statement's SQL
    /// again on every execution for a string parameter (it may be null), and the system role names never change
    /// </summary>
    public static Expression<Func<CustomerRole, bool>> SystemNameIs(string systemName)
    {
        var role = Expression.Parameter(typeof(CustomerRole), "role");
        return Expression.Lambda<Func<CustomerRole, bool>>(
            Expression.Equal(Expression.Property(role, nameof(CustomerRole.SystemName)), Expression.Constant(systemName, typeof(string))), role);
    }

    /// <summary>
    /// Orders that count as purchases: not deleted, a purchase payment status, not an excluded order status
    /// </summary>
    public static IQueryable<Order> Purchases(IQueryable<Order> orders, CustomerSegmentsSettings settings)
    {
        var paymentStatusIds = PurchasePaymentStatusIds(settings);
        var excludedStatusIds = ExcludedOrderStatusIds(settings);

        orders = orders.Where(o => !o.Deleted).Where(RuleExpressions.OneOf<Order, int>(o => o.PaymentStatusId, paymentStatusIds));
        if (excludedStatusIds.Count > 0)
            orders = orders.Where(RuleExpressions.Not(RuleExpressions.OneOf<Order, int>(o => o.OrderStatusId, excludedStatusIds)));

        return orders;
    }

    /// <summary>
    /// The purchases of a period, from <paramref name="fromUtc"/> on and before <paramref name="toUtc"/> (null: open), as
    /// rows to sum up: the whole UTC days inside the period from the purchases per day, the rest of its first and of its
    /// last day from the orders (a range of Order.CreatedOnUtc each). For the purchases per day while they are current.
    /// </summary>
    /// <param name="purchases">The purchases (<see cref="Purchases"/>) of the store, or of all stores</param>
    /// <param name="days">The purchases per day of the same store, or of all stores</param>
    /// <param name="fromUtc">The period's start</param>
    /// <param name="toUtc">The period's end (excluded)</param>
    /// <param name="ofOrder">The row of an order</param>
    /// <param name="ofDay">The row of a day</param>
    public static IQueryable<T> PurchasesOfPeriod<T>(IQueryable<Order> purchases, IQueryable<CustomerDailyPurchases> days,
        DateTime? fromUtc, DateTime? toUtc, Expression<Func<Order, T>> ofOrder, Expression<Func<CustomerDailyPurchases, T>> ofDay)
    {
        DateTime? firstWholeDay = fromUtc is { } start
            ? DateTime.SpecifyKind(start == start.Date ? start.Date : start.Date.AddDays(1), DateTimeKind.Utc)
            : null;
        DateTime? endOfWholeDays = toUtc is { } end ? DateTime.SpecifyKind(end.Date, DateTimeKind.Utc) : null;

        if (firstWholeDay >= endOfWholeDays)
            return OrdersBetween(purchases, fromUtc, toUtc).Select(ofOrder);

        if (firstWholeDay is { } first)
            days = days.Where(d => d.Day >= first);
        if (endOfWholeDays is { } last)
            days = days.Where(d => d.Day < last);

        var parts = days.Select(ofDay);
        if (fromUtc < firstWholeDay)
            parts = OrdersBetween(purchases, fromUtc, firstWholeDay).Select(ofOrder).Concat(parts);
        if (endOfWholeDays < toUtc)
            parts = parts.Concat(OrdersBetween(purchases, endOfWholeDays, toUtc).Select(ofOrder));

        return parts;
    }

    private static IQueryable<Order> OrdersBetween(IQueryable<Order> orders, DateTime? fromUtc, DateTime? toUtc)
    {
        if (fromUtc is { } from)
            orders = orders.Where(o => o.CreatedOnUtc >= from);
        if (toUtc is { } to)
            orders = orders.Where(o => o.CreatedOnUtc < to);

        return orders;
    }

    public static List<int> PurchasePaymentStatusIds(CustomerSegmentsSettings settings) =>
        (settings.PurchasePaymentStatusIds ?? []).Distinct().OrderBy(id => id).ToList();

    public static List<int> ExcludedOrderStatusIds(CustomerSegmentsSettings settings) =>
        (settings.ExcludedOrderStatusIds ?? []).Distinct().OrderBy(id => id).ToList();

    /// <summary>
    /// Whether orders (not deleted) of the payment and order statuses given count as purchases: the definition of
    /// <see cref="Purchases"/> for statuses already read
    /// </summary>
    public static bool IsPurchase(CustomerSegmentsSettings settings, int paymentStatusId, int orderStatusId) =>
        (settings.PurchasePaymentStatusIds ?? []).Contains(paymentStatusId) && !(settings.ExcludedOrderStatusIds ?? []).Contains(orderStatusId);
}

/// <summary>
/// The eligible customers as id queries: the <paramref name="Candidates"/> (not deleted, not system accounts) that
/// are not among the <paramref name="GuestIds"/> or are among the <paramref name="RegisteredIds"/> (both null when
/// the settings include guests: then every candidate is eligible). An id may appear more than once in the role queries.
/// </summary>
public record EligibilityQueries(IQueryable<int> Candidates, IQueryable<int> GuestIds, IQueryable<int> RegisteredIds);
