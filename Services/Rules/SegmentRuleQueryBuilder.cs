using System.Linq.Expressions;
using System.Security;
using LinqToDB;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleExpressions;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Compiles a rule into one query over nopCommerce's tables: groups become AND/OR/NOT, conditions EXISTS,
/// comparisons and aggregate subqueries. Every condition is two-valued (true or false, never NULL), so that
/// negated groups mean "not" for customers without the data too. Dates relative to now are computed here and
/// compared with columns as parameters; text compares without regard to capitals (LOWER on both sides).
/// </summary>
public class SegmentRuleQueryBuilder : ISegmentRuleQueryBuilder
{
    private static readonly Dictionary<string, string> _negatedOperators = new()
    {
        [NotEqual] = Equal,
        [NotIn] = In,
        [IsEmpty] = IsNotEmpty,
        [NoneOf] = AnyOf
    };

    protected readonly CustomerSegmentsSettings _settings;
    protected readonly IRepository<Address> _addressRepository;
    protected readonly IRepository<Customer> _customerRepository;
    protected readonly IRepository<CustomerCustomerRoleMapping> _customerRoleMappingRepository;
    protected readonly IRepository<CustomerRole> _customerRoleRepository;
    protected readonly IRepository<GenericAttribute> _genericAttributeRepository;
    protected readonly IRepository<NewsLetterSubscription> _newsLetterSubscriptionRepository;
    protected readonly IRepository<Order> _orderRepository;
    protected readonly IRepository<OrderItem> _orderItemRepository;
    protected readonly IRepository<ProductCategory> _productCategoryRepository;
    protected readonly IRepository<ProductManufacturer> _productManufacturerRepository;
    protected readonly IRepository<SegmentMembership> _segmentMembershipRepository;
    protected readonly IRepository<ShoppingCartItem> _shoppingCartItemRepository;

    public SegmentRuleQueryBuilder(CustomerSegmentsSettings settings,
        IRepository<Address> addressRepository,
        IRepository<Customer> customerRepository,
        IRepository<CustomerCustomerRoleMapping> customerRoleMappingRepository,
        IRepository<CustomerRole> customerRoleRepository,
        IRepository<GenericAttribute> genericAttributeRepository,
        IRepository<NewsLetterSubscription> newsLetterSubscriptionRepository,
        IRepository<Order> orderRepository,
        IRepository<OrderItem> orderItemRepository,
        IRepository<ProductCategory> productCategoryRepository,
        IRepository<ProductManufacturer> productManufacturerRepository,
        IRepository<SegmentMembership> segmentMembershipRepository,
        IRepository<ShoppingCartItem> shoppingCartItemRepository)
    {
        _settings = settings;
        _addressRepository = addressRepository;
        _customerRepository = customerRepository;
        _customerRoleMappingRepository = customerRoleMappingRepository;
        _customerRoleRepository = customerRoleRepository;
        _genericAttributeRepository = genericAttributeRepository;
        _newsLetterSubscriptionRepository = newsLetterSubscriptionRepository;
        _orderRepository = orderRepository;
        _orderItemRepository = orderItemRepository;
        _productCategoryRepository = productCategoryRepository;
        _productManufacturerRepository = productManufacturerRepository;
        _segmentMembershipRepository = segmentMembershipRepository;
        _shoppingCartItemRepository = shoppingCartItemRepository;
    }

    public virtual Task<IQueryable<int>> BuildMatchingCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(rule.Root);

        var context = new RuleQueryContext(storeId, DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc));
        var predicate = BuildGroup(rule.Root, context);

        return Task.FromResult(GetEligibleCustomers().Where(predicate).Select(customer => customer.Id));
    }

    #region Customers and orders

    /// <summary>
    /// Customers a segment can have: not deleted, not system accounts (search engine, background task), and
    /// guests (in the Guests role, not Registered) only when the settings include them
    /// </summary>
    public virtual IQueryable<Customer> GetEligibleCustomers()
    {
        var customers = _customerRepository.Table.Where(c => !c.Deleted && !c.IsSystemAccount);
        if (_settings.IncludeGuests)
            return customers;

        var guestsRoleName = NopCustomerDefaults.GuestsRoleName;
        var registeredRoleName = NopCustomerDefaults.RegisteredRoleName;
        var guestRoleIds = _customerRoleRepository.Table.Where(r => r.SystemName == guestsRoleName).Select(r => r.Id);
        var registeredRoleIds = _customerRoleRepository.Table.Where(r => r.SystemName == registeredRoleName).Select(r => r.Id);
        var mappings = _customerRoleMappingRepository.Table;

        return customers.Where(c =>
            !mappings.Any(m => m.CustomerId == c.Id && guestRoleIds.Contains(m.CustomerRoleId))
            || mappings.Any(m => m.CustomerId == c.Id && registeredRoleIds.Contains(m.CustomerRoleId)));
    }

    /// <summary>
    /// Orders that count as purchases: not deleted, a purchase payment status, not an excluded order status,
    /// in the segment's store
    /// </summary>
    public virtual IQueryable<Order> GetPurchases(int storeId, DateTime? fromUtc = null)
    {
        var paymentStatusIds = (_settings.PurchasePaymentStatusIds ?? []).Distinct().ToList();
        var excludedStatusIds = (_settings.ExcludedOrderStatusIds ?? []).Distinct().ToList();

        var orders = _orderRepository.Table.Where(o => !o.Deleted && paymentStatusIds.Contains(o.PaymentStatusId));
        if (excludedStatusIds.Count > 0)
            orders = orders.Where(o => !excludedStatusIds.Contains(o.OrderStatusId));

        return FilterOrders(orders, storeId, fromUtc);
    }

    protected virtual IQueryable<Order> GetOrders(int storeId, DateTime? fromUtc = null) =>
        FilterOrders(_orderRepository.Table.Where(o => !o.Deleted), storeId, fromUtc);

    private static IQueryable<Order> FilterOrders(IQueryable<Order> orders, int storeId, DateTime? fromUtc)
    {
        if (storeId > 0)
            orders = orders.Where(o => o.StoreId == storeId);
        if (fromUtc.HasValue)
        {
            var from = fromUtc.Value;
            orders = orders.Where(o => o.CreatedOnUtc >= from);
        }

        return orders;
    }

    #endregion

    #region Groups and conditions

    protected virtual Expression<Func<Customer, bool>> BuildGroup(RuleGroup group, RuleQueryContext context)
    {
        var children = (group.Children ?? []).Select(child => child switch
        {
            RuleGroup inner => BuildGroup(inner, context),
            RuleCondition condition => BuildCondition(condition, context),
            _ => throw new ArgumentException("The rule has an empty node", nameof(group))
        }).ToList();

        var predicate = group.Match == GroupMatch.Any ? Any(children) : All(children);
        return group.Negate ? Not(predicate) : predicate;
    }

    protected virtual Expression<Func<Customer, bool>> BuildCondition(RuleCondition condition, RuleQueryContext context)
    {
        //negative operators are the negation of their positive twin, so that both agree on customers without data
        if (_negatedOperators.TryGetValue(condition.Operator, out var positive))
            return Not(BuildPositiveCondition(condition, positive, context));

        return BuildPositiveCondition(condition, condition.Operator, context);
    }

    protected virtual Expression<Func<Customer, bool>> BuildPositiveCondition(RuleCondition condition, string op, RuleQueryContext context)
    {
        var values = condition.Values ?? [];
        var storeId = context.StoreId;
        var now = context.NowUtc;

        switch (condition.Field)
        {
            //demographic
            case RuleFields.Age:
                return AtLeastMeasure(c => c.DateOfBirth != null, years => AgeAtLeast(years, now), op, values);
            case RuleFields.BirthMonth:
                return IntChoice<Customer>(c => c.DateOfBirth != null ? c.DateOfBirth.Value.Month : 0, op, values);
            case RuleFields.Gender:
                return StringChoice(c => c.Gender, op, values);
            case RuleFields.Company:
                return Apply<Customer, string>(c => c.Company, Text(op, values));
            case RuleFields.HasVatNumber:
                return Boolean(c => c.VatNumber != null && c.VatNumber != "", values);
            case RuleFields.CustomerAttributeValues:
                return CustomerAttributeValues(condition.Key, op, values);
            case RuleFields.CustomerAttributeText:
                return CustomerAttributeText(condition.Key, op, values);
            case RuleFields.GenericAttribute:
                return GenericAttribute(condition.Key, op, values, storeId);

            //geographic
            case RuleFields.BillingCountry:
                return BillingAddress(IntChoice<Address>(a => a.CountryId ?? 0, op, values));
            case RuleFields.BillingStateProvince:
                return BillingAddress(IntChoice<Address>(a => a.StateProvinceId ?? 0, op, values));
            case RuleFields.BillingCity:
                return BillingAddress(Apply<Address, string>(a => a.City, Text(op, values)));
            case RuleFields.BillingZipPostalCode:
                return BillingAddress(Apply<Address, string>(a => a.ZipPostalCode, Text(op, values)));
            case RuleFields.ShippingCountry:
                return ShippingAddress(IntChoice<Address>(a => a.CountryId ?? 0, op, values));
            case RuleFields.ShippingStateProvince:
                return ShippingAddress(IntChoice<Address>(a => a.StateProvinceId ?? 0, op, values));
            case RuleFields.ShippingCity:
                return ShippingAddress(Apply<Address, string>(a => a.City, Text(op, values)));
            case RuleFields.ShippingZipPostalCode:
                return ShippingAddress(Apply<Address, string>(a => a.ZipPostalCode, Text(op, values)));

            //behaviour
            case RuleFields.OrderCount:
                return OrderCount(GetPurchases(storeId), op, values);
            case RuleFields.OrderCountInPeriod:
                return OrderCount(GetPurchases(storeId, PeriodStart(condition, now)), op, values);
            case RuleFields.TotalSpent:
                return Spent(GetPurchases(storeId), op, values);
            case RuleFields.SpentInPeriod:
                return Spent(GetPurchases(storeId, PeriodStart(condition, now)), op, values);
            case RuleFields.AverageOrderValue:
                return AverageOrderValue(GetPurchases(storeId), op, values);
            case RuleFields.FirstOrderDate:
            {
                var purchases = GetPurchases(storeId);
                return Date(c => purchases.Where(o => o.CustomerId == c.Id).Min(o => (DateTime?)o.CreatedOnUtc), op, values, now);
            }
            case RuleFields.LastOrderDate:
            {
                var purchases = GetPurchases(storeId);
                return Date(c => purchases.Where(o => o.CustomerId == c.Id).Max(o => (DateTime?)o.CreatedOnUtc), op, values, now);
            }
            case RuleFields.DaysSinceLastOrder:
                return DaysSinceLastOrder(GetPurchases(storeId), op, values, now);
            case RuleFields.BoughtProducts:
                return Set(ids => BoughtProducts(ids, GetPurchases(storeId, PeriodStart(condition, now))), op, values);
            case RuleFields.BoughtCategories:
                return Set(ids => BoughtCategories(ids, GetPurchases(storeId, PeriodStart(condition, now))), op, values);
            case RuleFields.BoughtManufacturers:
                return Set(ids => BoughtManufacturers(ids, GetPurchases(storeId, PeriodStart(condition, now))), op, values);
            case RuleFields.RefundedOrderCount:
            {
                var refunded = (int)PaymentStatus.Refunded;
                var partiallyRefunded = (int)PaymentStatus.PartiallyRefunded;
                return OrderCount(GetOrders(storeId).Where(o => o.PaymentStatusId == refunded || o.PaymentStatusId == partiallyRefunded), op, values);
            }
            case RuleFields.CancelledOrderCount:
            {
                var cancelled = (int)OrderStatus.Cancelled;
                return OrderCount(GetOrders(storeId).Where(o => o.OrderStatusId == cancelled), op, values);
            }
            case RuleFields.AbandonedCart:
                return Boolean(AbandonedCart(storeId, PeriodStart(condition, now) ?? now), values);
            case RuleFields.WishlistNotEmpty:
                return Boolean(CartNotEmpty(ShoppingCartType.Wishlist, storeId), values);

            //RFM
            case RuleFields.RfmRecency:
                return Rfm(Score(r => r.RecencyBelow, op, values), storeId, now);
            case RuleFields.RfmFrequency:
                return Rfm(Score(r => r.FrequencyBelow, op, values), storeId, now);
            case RuleFields.RfmMonetary:
                return Rfm(Score(r => r.MonetaryBelow, op, values), storeId, now);
            case RuleFields.RfmGroup:
                return Rfm(Any(RuleValues.Strings(values).Select(RfmGroup)), storeId, now);

            //engagement
            case RuleFields.RegisteredDate:
                return Date(c => (DateTime?)c.CreatedOnUtc, op, values, now);
            case RuleFields.LastLoginDate:
                return Date(c => c.LastLoginDateUtc, op, values, now);
            case RuleFields.LastActivityDate:
                return Date(c => (DateTime?)c.LastActivityDateUtc, op, values, now);
            case RuleFields.Active:
                return Boolean(c => c.Active, values);
            case RuleFields.TaxExempt:
                return Boolean(c => c.IsTaxExempt, values);
            case RuleFields.NewsletterSubscribed:
                return Boolean(NewsletterSubscribed(storeId), values);
            case RuleFields.CustomerRoles:
                return Set(CustomerRoles, op, values);
            case RuleFields.RegisteredInStore:
                return IntChoice<Customer>(c => c.RegisteredInStoreId, op, values);
            case RuleFields.Affiliate:
                return IntChoice<Customer>(c => c.AffiliateId, op, values);
            case RuleFields.Vendor:
                return IntChoice<Customer>(c => c.VendorId, op, values);

            //other segments
            case RuleFields.SegmentMember:
                return SegmentMember(RuleValues.Ints(values));

            default:
                throw new ArgumentException($"Unknown rule field '{condition.Field}'", nameof(condition));
        }
    }

    #endregion

    #region Value tests

    /// <summary>
    /// A test of a text: equality, a list of values and patterns without regard to capitals; null and "" are empty
    /// </summary>
    protected virtual Expression<Func<string, bool>> Text(string op, List<System.Text.Json.JsonElement> values)
    {
        if (op == IsNotEmpty)
            return s => s != null && s != "";

        if (op == In)
        {
            var choices = RuleValues.Strings(values).Select(choice => choice.ToLowerInvariant()).Distinct().ToList();
            return s => s != null && choices.Contains(s.ToLower());
        }

        var value = values[0].GetString().ToLowerInvariant();
        return op switch
        {
            Equal => s => s != null && s.ToLower() == value,
            Contains => s => s != null && s.ToLower().Contains(value),
            StartsWith => s => s != null && s.ToLower().StartsWith(value),
            EndsWith => s => s != null && s.ToLower().EndsWith(value),
            _ => throw new ArgumentException($"Operator '{op}' does not apply to text", nameof(op))
        };
    }

    /// <summary>
    /// A choice of an id, 0 being none
    /// </summary>
    protected virtual Expression<Func<T, bool>> IntChoice<T>(Expression<Func<T, int>> selector, string op, List<System.Text.Json.JsonElement> values)
    {
        switch (op)
        {
            case IsNotEmpty:
                return Compare(selector, ExpressionType.GreaterThan, 0);
            case Equal:
                return Compare(selector, ExpressionType.Equal, RuleValues.Int(values[0]));
            case In:
                var ids = RuleValues.Ints(values);
                return Apply(selector, id => ids.Contains(id));
            default:
                throw new ArgumentException($"Operator '{op}' does not apply to a choice", nameof(op));
        }
    }

    protected virtual Expression<Func<Customer, bool>> StringChoice(Expression<Func<Customer, string>> selector, string op, List<System.Text.Json.JsonElement> values)
    {
        if (op == IsNotEmpty)
            return Apply(selector, s => s != null && s != "");

        List<string> choices = op == Equal ? [values[0].GetString()] : RuleValues.Strings(values);
        return Any(choices.Select(choice => Apply(selector, Text(Equal, [RuleValues.Element(choice)]))));
    }

    protected virtual Expression<Func<Customer, bool>> Boolean(Expression<Func<Customer, bool>> predicate, List<System.Text.Json.JsonElement> values) =>
        RuleValues.TryGetBoolean(values[0], out var expected) && expected ? predicate : Not(predicate);

    protected virtual Expression<Func<T, bool>> Number<T>(Expression<Func<T, int>> selector, string op, List<System.Text.Json.JsonElement> values) =>
        NumberCore(selector, op, values, RuleValues.Int);

    protected virtual Expression<Func<T, bool>> Number<T>(Expression<Func<T, decimal>> selector, string op, List<System.Text.Json.JsonElement> values)
    {
        //money is compared as (amount - value) with 0: SQLite receives decimal parameters as text, and text never
        //equals (and is always more than) a number there, while arithmetic turns the text into a number
        Expression<Func<T, bool>> compare(ExpressionType comparison, decimal value) => Expression.Lambda<Func<T, bool>>(
            Expression.MakeBinary(comparison, Expression.Subtract(selector.Body, Parameter(value)), Expression.Constant(0m)),
            selector.Parameters);

        return op switch
        {
            Equal => compare(ExpressionType.Equal, RuleValues.Decimal(values[0])),
            GreaterThan => compare(ExpressionType.GreaterThan, RuleValues.Decimal(values[0])),
            GreaterThanOrEqual => compare(ExpressionType.GreaterThanOrEqual, RuleValues.Decimal(values[0])),
            LessThan => compare(ExpressionType.LessThan, RuleValues.Decimal(values[0])),
            LessThanOrEqual => compare(ExpressionType.LessThanOrEqual, RuleValues.Decimal(values[0])),
            Between => And(compare(ExpressionType.GreaterThanOrEqual, RuleValues.Decimal(values[0])),
                compare(ExpressionType.LessThanOrEqual, RuleValues.Decimal(values[1]))),
            _ => throw new ArgumentException($"Operator '{op}' does not apply to a number", nameof(op))
        };
    }

    private static Expression<Func<T, bool>> NumberCore<T, TValue>(Expression<Func<T, TValue>> selector, string op,
        List<System.Text.Json.JsonElement> values, Func<System.Text.Json.JsonElement, TValue> read)
    {
        return op switch
        {
            Equal => Compare(selector, ExpressionType.Equal, read(values[0])),
            GreaterThan => Compare(selector, ExpressionType.GreaterThan, read(values[0])),
            GreaterThanOrEqual => Compare(selector, ExpressionType.GreaterThanOrEqual, read(values[0])),
            LessThan => Compare(selector, ExpressionType.LessThan, read(values[0])),
            LessThanOrEqual => Compare(selector, ExpressionType.LessThanOrEqual, read(values[0])),
            Between => And(Compare(selector, ExpressionType.GreaterThanOrEqual, read(values[0])),
                Compare(selector, ExpressionType.LessThanOrEqual, read(values[1]))),
            _ => throw new ArgumentException($"Operator '{op}' does not apply to a number", nameof(op))
        };
    }

    /// <summary>
    /// A whole-number measure known through "the measure is at least n" (age, days since): has a value when
    /// <paramref name="hasValue"/>, and at least n when <paramref name="atLeast"/>(n) (which implies a value)
    /// </summary>
    protected virtual Expression<Func<T, bool>> AtLeastMeasure<T>(Expression<Func<T, bool>> hasValue, Func<int, Expression<Func<T, bool>>> atLeast,
        string op, List<System.Text.Json.JsonElement> values)
    {
        if (op == IsNotEmpty)
            return hasValue;

        var n = RuleValues.Int(values[0]);
        Expression<Func<T, bool>> below(int m) => And(hasValue, Not(atLeast(m)));

        return op switch
        {
            Equal => And(atLeast(n), Not(atLeast(n + 1))),
            GreaterThan => atLeast(n + 1),
            GreaterThanOrEqual => atLeast(n),
            LessThan => below(n),
            LessThanOrEqual => below(n + 1),
            Between => And(atLeast(n), Not(atLeast(RuleValues.Int(values[1]) + 1))),
            _ => throw new ArgumentException($"Operator '{op}' does not apply to a number", nameof(op))
        };
    }

    /// <summary>
    /// A date test; days are UTC days, "after" a day means from the next day on
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> Date(Expression<Func<Customer, DateTime?>> selector, string op,
        List<System.Text.Json.JsonElement> values, DateTime nowUtc)
    {
        var hasValue = Apply(selector, d => d != null);
        if (op == IsNotEmpty)
            return hasValue;

        Expression<Func<Customer, bool>> from(DateTime date) => And(hasValue, Compare(selector, ExpressionType.GreaterThanOrEqual, (DateTime?)date));
        Expression<Func<Customer, bool>> before(DateTime date) => And(hasValue, Compare(selector, ExpressionType.LessThan, (DateTime?)date));

        switch (op)
        {
            case Equal:
                var day = RuleValues.Date(values[0]);
                return And(from(day), before(day.AddDays(1)));
            case Before:
                return before(RuleValues.Date(values[0]));
            case After:
                return from(RuleValues.Date(values[0]).AddDays(1));
            case BetweenDates:
                return And(from(RuleValues.Date(values[0])), before(RuleValues.Date(values[1]).AddDays(1)));
            case InLastDays:
                return from(nowUtc.AddDays(-RuleValues.Int(values[0])));
            case MoreThanDaysAgo:
                return before(nowUtc.AddDays(-RuleValues.Int(values[0])));
            default:
                throw new ArgumentException($"Operator '{op}' does not apply to a date", nameof(op));
        }
    }

    /// <summary>
    /// A set of ids per customer: any of (one EXISTS over the list), all of (an EXISTS per id)
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> Set(Func<List<int>, Expression<Func<Customer, bool>>> containsAny, string op,
        List<System.Text.Json.JsonElement> values)
    {
        var ids = RuleValues.Ints(values);
        return op switch
        {
            AnyOf => containsAny(ids),
            AllOf => All(ids.Select(id => containsAny([id]))),
            _ => throw new ArgumentException($"Operator '{op}' does not apply to a set", nameof(op))
        };
    }

    protected static DateTime? PeriodStart(RuleCondition condition, DateTime nowUtc) =>
        condition.PeriodDays.HasValue ? nowUtc.AddDays(-condition.PeriodDays.Value) : null;

    private static Expression<Func<Customer, bool>> AgeAtLeast(int years, DateTime nowUtc)
    {
        //at least n years old: born on or before today n years ago
        var bornBefore = nowUtc.Date.AddYears(-Math.Min(years, nowUtc.Year - 1)).AddDays(1);
        return c => c.DateOfBirth != null && c.DateOfBirth < bornBefore;
    }

    #endregion

    #region Demographic and geographic

    protected virtual Expression<Func<Customer, bool>> CustomerAttributeValues(string key, string op, List<System.Text.Json.JsonElement> values)
    {
        var attribute = AttributeElement(key);
        return Set(ids => Any(ids.Select(id =>
        {
            var value = $"<CustomerAttributeValue><Value>{id}</Value></CustomerAttributeValue>";
            return (Expression<Func<Customer, bool>>)(c => c.CustomCustomerAttributesXML != null
                && c.CustomCustomerAttributesXML.Contains(attribute) && c.CustomCustomerAttributesXML.Contains(value));
        })), op, values);
    }

    protected virtual Expression<Func<Customer, bool>> CustomerAttributeText(string key, string op, List<System.Text.Json.JsonElement> values)
    {
        var attribute = AttributeElement(key);
        if (op == IsNotEmpty)
            return c => c.CustomCustomerAttributesXML != null && c.CustomCustomerAttributesXML.Contains(attribute);

        var element = $"{attribute}<CustomerAttributeValue><Value>{SecurityElement.Escape(values[0].GetString())}</Value></CustomerAttributeValue></CustomerAttribute>"
            .ToLowerInvariant();
        return c => c.CustomCustomerAttributesXML != null && c.CustomCustomerAttributesXML.ToLower().Contains(element);
    }

    private static string AttributeElement(string key) => $"<CustomerAttribute ID=\"{int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)}\">";

    protected virtual Expression<Func<Customer, bool>> GenericAttribute(string key, string op, List<System.Text.Json.JsonElement> values, int storeId)
    {
        var keyGroup = nameof(Customer).ToLowerInvariant();
        var lowerKey = key.ToLowerInvariant();
        var attributes = _genericAttributeRepository.Table.Where(g => g.KeyGroup.ToLower() == keyGroup && g.Key.ToLower() == lowerKey);
        if (storeId > 0)
            attributes = attributes.Where(g => g.StoreId == 0 || g.StoreId == storeId);

        var matching = attributes.Where(Apply<GenericAttribute, string>(g => g.Value, Text(op, values)));
        return c => matching.Any(g => g.EntityId == c.Id);
    }

    protected virtual Expression<Func<Customer, bool>> BillingAddress(Expression<Func<Address, bool>> test)
    {
        var addresses = _addressRepository.Table.Where(test);
        return c => c.BillingAddressId != null && addresses.Any(a => a.Id == c.BillingAddressId);
    }

    protected virtual Expression<Func<Customer, bool>> ShippingAddress(Expression<Func<Address, bool>> test)
    {
        var addresses = _addressRepository.Table.Where(test);
        return c => c.ShippingAddressId != null && addresses.Any(a => a.Id == c.ShippingAddressId);
    }

    #endregion

    #region Behaviour

    protected virtual Expression<Func<Customer, bool>> OrderCount(IQueryable<Order> orders, string op, List<System.Text.Json.JsonElement> values) =>
        Number<Customer>(c => orders.Count(o => o.CustomerId == c.Id), op, values);

    protected virtual Expression<Func<Customer, bool>> Spent(IQueryable<Order> orders, string op, List<System.Text.Json.JsonElement> values) =>
        Number<Customer>(c => orders.Where(o => o.CustomerId == c.Id).Sum(o => (decimal?)o.OrderTotal) ?? 0m, op, values);

    /// <summary>
    /// average ⋚ x is compared as sum ⋚ x·count (for customers with purchases), exact on every engine
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> AverageOrderValue(IQueryable<Order> orders, string op, List<System.Text.Json.JsonElement> values)
    {
        Expression<Func<Customer, bool>> hasPurchases = c => orders.Any(o => o.CustomerId == c.Id);
        if (op == IsNotEmpty)
            return hasPurchases;

        Expression<Func<Customer, decimal>> sum = c => orders.Where(o => o.CustomerId == c.Id).Sum(o => (decimal?)o.OrderTotal) ?? 0m;
        Expression<Func<Customer, bool>> compare(ExpressionType comparison, decimal average)
        {
            Expression<Func<Customer, decimal>> scaledCount = c => average * orders.Count(o => o.CustomerId == c.Id);
            return And(hasPurchases, Compare(sum, comparison, scaledCount));
        }

        var x = RuleValues.Decimal(values[0]);
        return op switch
        {
            Equal => compare(ExpressionType.Equal, x),
            GreaterThan => compare(ExpressionType.GreaterThan, x),
            GreaterThanOrEqual => compare(ExpressionType.GreaterThanOrEqual, x),
            LessThan => compare(ExpressionType.LessThan, x),
            LessThanOrEqual => compare(ExpressionType.LessThanOrEqual, x),
            Between => And(compare(ExpressionType.GreaterThanOrEqual, x), compare(ExpressionType.LessThanOrEqual, RuleValues.Decimal(values[1]))),
            _ => throw new ArgumentException($"Operator '{op}' does not apply to a number", nameof(op))
        };
    }

    protected virtual Expression<Func<Customer, bool>> DaysSinceLastOrder(IQueryable<Order> purchases, string op, List<System.Text.Json.JsonElement> values, DateTime nowUtc)
    {
        //at least n whole days since the last purchase: no purchase after now - n days
        return AtLeastMeasure<Customer>(c => purchases.Any(o => o.CustomerId == c.Id), days =>
        {
            var boundary = nowUtc.AddDays(-days);
            return c => purchases.Any(o => o.CustomerId == c.Id) && !purchases.Any(o => o.CustomerId == c.Id && o.CreatedOnUtc > boundary);
        }, op, values);
    }

    protected virtual Expression<Func<Customer, bool>> BoughtProducts(List<int> productIds, IQueryable<Order> purchases)
    {
        var items = _orderItemRepository.Table.Where(oi => productIds.Contains(oi.ProductId));
        return c => purchases.Any(o => o.CustomerId == c.Id && items.Any(oi => oi.OrderId == o.Id));
    }

    protected virtual Expression<Func<Customer, bool>> BoughtCategories(List<int> categoryIds, IQueryable<Order> purchases)
    {
        var mappings = _productCategoryRepository.Table.Where(pc => categoryIds.Contains(pc.CategoryId));
        var items = _orderItemRepository.Table.Where(oi => mappings.Any(pc => pc.ProductId == oi.ProductId));
        return c => purchases.Any(o => o.CustomerId == c.Id && items.Any(oi => oi.OrderId == o.Id));
    }

    protected virtual Expression<Func<Customer, bool>> BoughtManufacturers(List<int> manufacturerIds, IQueryable<Order> purchases)
    {
        var mappings = _productManufacturerRepository.Table.Where(pm => manufacturerIds.Contains(pm.ManufacturerId));
        var items = _orderItemRepository.Table.Where(oi => mappings.Any(pm => pm.ProductId == oi.ProductId));
        return c => purchases.Any(o => o.CustomerId == c.Id && items.Any(oi => oi.OrderId == o.Id));
    }

    protected virtual Expression<Func<Customer, bool>> CartNotEmpty(ShoppingCartType type, int storeId)
    {
        var typeId = (int)type;
        var items = _shoppingCartItemRepository.Table.Where(i => i.ShoppingCartTypeId == typeId);
        if (storeId > 0)
            items = items.Where(i => i.StoreId == storeId);

        return c => items.Any(i => i.CustomerId == c.Id);
    }

    /// <summary>
    /// Cart items, none added or changed since <paramref name="sinceUtc"/>, and no order placed since then
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> AbandonedCart(int storeId, DateTime sinceUtc)
    {
        var typeId = (int)ShoppingCartType.ShoppingCart;
        var items = _shoppingCartItemRepository.Table.Where(i => i.ShoppingCartTypeId == typeId);
        if (storeId > 0)
            items = items.Where(i => i.StoreId == storeId);
        var recentOrders = GetOrders(storeId, sinceUtc);

        return c => items.Any(i => i.CustomerId == c.Id)
            && !items.Any(i => i.CustomerId == c.Id && i.UpdatedOnUtc >= sinceUtc)
            && !recentOrders.Any(o => o.CustomerId == c.Id);
    }

    #endregion

    #region RFM

    /// <summary>
    /// Each buying customer of the RFM window with, per measure, how many buying customers have a strictly
    /// smaller value (window RANK - 1) and how many buying customers there are; score = 1 + ⌊5·below / count⌋,
    /// so ties share a score and every engine agrees
    /// </summary>
    public virtual IQueryable<RfmRow> GetRfmRows(int storeId, DateTime nowUtc)
    {
        var eligibleIds = GetEligibleCustomers().Select(c => c.Id);
        var windowStart = nowUtc.AddDays(-Math.Max(1, _settings.RfmWindowDays));
        var stats =
            from o in GetPurchases(storeId, windowStart)
            where eligibleIds.Contains(o.CustomerId)
            group o by o.CustomerId into g
            select new
            {
                CustomerId = g.Key,
                Last = g.Max(o => o.CreatedOnUtc),
                Count = g.Count(),
                Total = g.Sum(o => o.OrderTotal)
            };

        return (from s in stats
            select new RfmRow
            {
                CustomerId = s.CustomerId,
                RecencyBelow = Sql.Ext.Rank().Over().OrderBy(s.Last).ToValue() - 1,
                FrequencyBelow = Sql.Ext.Rank().Over().OrderBy(s.Count).ToValue() - 1,
                MonetaryBelow = Sql.Ext.Rank().Over().OrderBy(s.Total).ToValue() - 1,
                Buyers = Sql.Ext.Count().Over().ToValue()
            }).AsSubQuery();
    }

    protected virtual Expression<Func<Customer, bool>> Rfm(Expression<Func<RfmRow, bool>> predicate, int storeId, DateTime nowUtc)
    {
        var customerIds = GetRfmRows(storeId, nowUtc).Where(predicate).Select(r => r.CustomerId);
        return c => customerIds.Contains(c.Id);
    }

    /// <summary>
    /// score ≥ k ⇔ 5·below ≥ (k - 1)·buyers
    /// </summary>
    protected static Expression<Func<RfmRow, bool>> ScoreAtLeast(Expression<Func<RfmRow, long>> below, int score)
    {
        return ReplaceScore(below, score - 1);
    }

    private static Expression<Func<RfmRow, bool>> ReplaceScore(Expression<Func<RfmRow, long>> below, long threshold)
    {
        Expression<Func<RfmRow, long, bool>> template = (r, b) => 5 * b >= threshold * r.Buyers;
        var body = new ScoreBinder(template.Parameters[0], below.Parameters[0], template.Parameters[1], below.Body).Visit(template.Body);
        return Expression.Lambda<Func<RfmRow, bool>>(body, below.Parameters);
    }

    protected virtual Expression<Func<RfmRow, bool>> Score(Expression<Func<RfmRow, long>> below, string op, List<System.Text.Json.JsonElement> values) =>
        AtLeastMeasure<RfmRow>(_ => true, score => ScoreAtLeast(below, score), op, values);

    protected virtual Expression<Func<RfmRow, bool>> RfmGroup(string group)
    {
        Expression<Func<RfmRow, bool>> r(int k) => ScoreAtLeast(x => x.RecencyBelow, k);
        Expression<Func<RfmRow, bool>> f(int k) => ScoreAtLeast(x => x.FrequencyBelow, k);
        Expression<Func<RfmRow, bool>> m(int k) => ScoreAtLeast(x => x.MonetaryBelow, k);

        var champions = And(And(r(4), f(4)), m(4));
        return group switch
        {
            RfmGroups.Champions => champions,
            RfmGroups.Loyal => And(And(f(4), r(3)), Not(champions)),
            RfmGroups.New => And(r(4), Not(f(3))),
            RfmGroups.PotentialLoyalists => And(And(r(3), Not(f(4))), Not(And(r(4), Not(f(3))))),
            RfmGroups.AtRisk => And(Not(r(3)), f(3)),
            RfmGroups.Hibernating => And(Not(r(3)), Not(f(3))),
            _ => throw new ArgumentException($"Unknown RFM group '{group}'", nameof(group))
        };
    }

    private sealed class ScoreBinder(ParameterExpression templateRow, ParameterExpression row, ParameterExpression templateBelow, Expression below) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            node == templateRow ? row : node == templateBelow ? below : node;
    }

    #endregion

    #region Engagement and segments

    protected virtual Expression<Func<Customer, bool>> NewsletterSubscribed(int storeId)
    {
        var subscriptions = _newsLetterSubscriptionRepository.Table.Where(s => s.Active);
        if (storeId > 0)
            subscriptions = subscriptions.Where(s => s.StoreId == storeId);

        return c => c.Email != null && c.Email != "" && subscriptions.Any(s => s.Email.ToLower() == c.Email.ToLower());
    }

    protected virtual Expression<Func<Customer, bool>> CustomerRoles(List<int> roleIds)
    {
        var mappings = _customerRoleMappingRepository.Table.Where(m => roleIds.Contains(m.CustomerRoleId));
        return c => mappings.Any(m => m.CustomerId == c.Id);
    }

    protected virtual Expression<Func<Customer, bool>> SegmentMember(List<int> segmentIds)
    {
        var memberships = _segmentMembershipRepository.Table.Where(m => m.LeftOnUtc == null && segmentIds.Contains(m.SegmentId));
        return c => memberships.Any(m => m.CustomerId == c.Id);
    }

    #endregion
}

/// <summary>
/// What a rule query is built for: the segment's store and the moment relative dates count from
/// </summary>
public record RuleQueryContext(int StoreId, DateTime NowUtc);

/// <summary>
/// A buying customer of the RFM window and his ranks among the others
/// </summary>
public class RfmRow
{
    public int CustomerId { get; set; }

    public long RecencyBelow { get; set; }

    public long FrequencyBelow { get; set; }

    public long MonetaryBelow { get; set; }

    public long Buyers { get; set; }
}
