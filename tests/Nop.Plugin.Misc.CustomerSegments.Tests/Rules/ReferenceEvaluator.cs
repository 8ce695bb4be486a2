using System.Text.Json;
using System.Xml.Linq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// Evaluates a rule customer by customer over the in-memory rows of a <see cref="RandomShop"/>, straight from
/// the rules' definitions (written apart from the query builder, to check it)
/// </summary>
public class ReferenceEvaluator
{
    private readonly RandomShop _shop;
    private readonly CustomerSegmentsSettings _settings;
    private readonly int _storeId;
    private readonly DateTime _now;
    private readonly Dictionary<int, (int R, int F, int M)> _rfm;

    public ReferenceEvaluator(RandomShop shop, CustomerSegmentsSettings settings, int storeId, DateTime now)
    {
        _shop = shop;
        _settings = settings;
        _storeId = storeId;
        _now = now;
        _rfm = ComputeRfm();
    }

    public ISet<int> Evaluate(SegmentRule rule) =>
        _shop.Customers.Where(IsEligible).Where(c => Group(rule.Root, c)).Select(c => c.Id).ToHashSet();

    public bool IsEligible(Customer customer)
    {
        if (customer.Deleted || customer.IsSystemAccount)
            return false;
        if (_settings.IncludeGuests)
            return true;

        var roles = RoleNames(customer);
        return !(roles.Contains("Guests") && !roles.Contains("Registered"));
    }

    private List<string> RoleNames(Customer customer) =>
        _shop.RoleMappings.Where(m => m.CustomerId == customer.Id)
            .Select(m => _shop.Roles.First(r => r.Id == m.CustomerRoleId).SystemName).ToList();

    private bool InStore(int storeId) => _storeId == 0 || storeId == _storeId;

    private List<Order> Purchases(Customer customer, DateTime? from = null) => _shop.Orders.Where(o =>
        o.CustomerId == customer.Id && !o.Deleted && InStore(o.StoreId)
        && _settings.PurchasePaymentStatusIds.Contains(o.PaymentStatusId)
        && !_settings.ExcludedOrderStatusIds.Contains(o.OrderStatusId)
        && (from == null || o.CreatedOnUtc >= from)).ToList();

    private bool Group(RuleGroup group, Customer customer)
    {
        var results = group.Children.Select(child => child is RuleGroup inner ? Group(inner, customer) : Condition((RuleCondition)child, customer));
        var result = group.Match == GroupMatch.All ? results.All(r => r) : results.Any(r => r);
        return group.Negate ? !result : result;
    }

    private bool Condition(RuleCondition condition, Customer c)
    {
        var op = condition.Operator;
        var v = condition.Values;
        DateTime? periodStart = condition.PeriodDays.HasValue ? _now.AddDays(-condition.PeriodDays.Value) : null;

        switch (condition.Field)
        {
            case RuleFields.Age:
                return Number(c.DateOfBirth.HasValue ? Age(c.DateOfBirth.Value) : null, op, v);
            case RuleFields.BirthMonth:
                return Choice(c.DateOfBirth?.Month, op, v);
            case RuleFields.Gender:
                return StringChoice(c.Gender, op, v);
            case RuleFields.Company:
                return Text(c.Company, op, v);
            case RuleFields.HasVatNumber:
                return Bool(!string.IsNullOrEmpty(c.VatNumber), v);
            case RuleFields.CustomerAttributeValues:
                return Set(AttributeValues(c, int.Parse(condition.Key)).Select(int.Parse).ToHashSet(), op, v);
            case RuleFields.CustomerAttributeText:
                return Text(AttributeValues(c, int.Parse(condition.Key)).FirstOrDefault(), op, v);
            case RuleFields.GenericAttribute:
            {
                var values = _shop.GenericAttributes.Where(g => g.EntityId == c.Id && g.KeyGroup == "Customer"
                    && string.Equals(g.Key, condition.Key, StringComparison.OrdinalIgnoreCase) && (_storeId == 0 || g.StoreId == 0 || g.StoreId == _storeId))
                    .Select(g => g.Value).ToList();
                return Negative(op) ? !values.Any(value => Text(value, Positive(op), v)) : values.Any(value => Text(value, op, v));
            }

            case RuleFields.BillingCountry: return Choice(Address(c.BillingAddressId)?.CountryId, op, v);
            case RuleFields.BillingStateProvince: return Choice(Address(c.BillingAddressId)?.StateProvinceId, op, v);
            case RuleFields.BillingCity: return Text(Address(c.BillingAddressId)?.City, op, v);
            case RuleFields.BillingZipPostalCode: return Text(Address(c.BillingAddressId)?.ZipPostalCode, op, v);
            case RuleFields.ShippingCountry: return Choice(Address(c.ShippingAddressId)?.CountryId, op, v);
            case RuleFields.ShippingStateProvince: return Choice(Address(c.ShippingAddressId)?.StateProvinceId, op, v);
            case RuleFields.ShippingCity: return Text(Address(c.ShippingAddressId)?.City, op, v);
            case RuleFields.ShippingZipPostalCode: return Text(Address(c.ShippingAddressId)?.ZipPostalCode, op, v);

            case RuleFields.OrderCount: return Number(Purchases(c).Count, op, v);
            case RuleFields.OrderCountInPeriod: return Number(Purchases(c, periodStart).Count, op, v);
            case RuleFields.TotalSpent: return Number(Purchases(c).Sum(o => o.OrderTotal), op, v);
            case RuleFields.SpentInPeriod: return Number(Purchases(c, periodStart).Sum(o => o.OrderTotal), op, v);
            case RuleFields.AverageOrderValue:
            {
                var purchases = Purchases(c);
                return Number(purchases.Count == 0 ? null : purchases.Sum(o => o.OrderTotal) / purchases.Count, op, v);
            }
            case RuleFields.FirstOrderDate: return Date(Purchases(c).Select(o => (DateTime?)o.CreatedOnUtc).Min(), op, v);
            case RuleFields.LastOrderDate: return Date(Purchases(c).Select(o => (DateTime?)o.CreatedOnUtc).Max(), op, v);
            case RuleFields.DaysSinceLastOrder:
            {
                var last = Purchases(c).Select(o => (DateTime?)o.CreatedOnUtc).Max();
                return Number(last.HasValue ? (decimal)Math.Floor((_now - last.Value).TotalDays) : null, op, v);
            }
            case RuleFields.BoughtProducts:
                return Set(BoughtProductIds(c, periodStart), op, v);
            case RuleFields.BoughtCategories:
                return Set(BoughtProductIds(c, periodStart).SelectMany(p => _shop.ProductCategories.Where(m => m.ProductId == p).Select(m => m.CategoryId)).ToHashSet(), op, v);
            case RuleFields.BoughtManufacturers:
                return Set(BoughtProductIds(c, periodStart).SelectMany(p => _shop.ProductManufacturers.Where(m => m.ProductId == p).Select(m => m.ManufacturerId)).ToHashSet(), op, v);
            case RuleFields.RefundedOrderCount:
                return Number(_shop.Orders.Count(o => o.CustomerId == c.Id && !o.Deleted && InStore(o.StoreId)
                    && o.PaymentStatusId is (int)PaymentStatus.Refunded or (int)PaymentStatus.PartiallyRefunded), op, v);
            case RuleFields.CancelledOrderCount:
                return Number(_shop.Orders.Count(o => o.CustomerId == c.Id && !o.Deleted && InStore(o.StoreId) && o.OrderStatusId == (int)OrderStatus.Cancelled), op, v);
            case RuleFields.AbandonedCart:
            {
                var cart = _shop.CartItems.Where(i => i.CustomerId == c.Id && i.ShoppingCartTypeId == (int)ShoppingCartType.ShoppingCart && InStore(i.StoreId)).ToList();
                var abandoned = cart.Count > 0 && cart.All(i => i.UpdatedOnUtc < periodStart)
                    && !_shop.Orders.Any(o => o.CustomerId == c.Id && !o.Deleted && InStore(o.StoreId) && o.CreatedOnUtc >= periodStart);
                return Bool(abandoned, v);
            }
            case RuleFields.WishlistNotEmpty:
                return Bool(_shop.CartItems.Any(i => i.CustomerId == c.Id && i.ShoppingCartTypeId == (int)ShoppingCartType.Wishlist && InStore(i.StoreId)), v);

            case RuleFields.RfmRecency: return Number(_rfm.TryGetValue(c.Id, out var r) ? r.R : null, op, v);
            case RuleFields.RfmFrequency: return Number(_rfm.TryGetValue(c.Id, out var f) ? f.F : null, op, v);
            case RuleFields.RfmMonetary: return Number(_rfm.TryGetValue(c.Id, out var m) ? m.M : null, op, v);
            case RuleFields.RfmGroup:
            {
                string group = _rfm.TryGetValue(c.Id, out var s) ? RfmGroupOf(s.R, s.F, s.M) : null;
                var matches = group != null && v.Select(x => x.GetString()).Contains(group);
                return Negative(op) ? !matches : matches;
            }

            case RuleFields.RegisteredDate: return Date(c.CreatedOnUtc, op, v);
            case RuleFields.LastLoginDate: return Date(c.LastLoginDateUtc, op, v);
            case RuleFields.LastActivityDate: return Date(c.LastActivityDateUtc, op, v);
            case RuleFields.Active: return Bool(c.Active, v);
            case RuleFields.TaxExempt:
                return Bool(c.IsTaxExempt || _shop.RoleMappings.Any(mp => mp.CustomerId == c.Id
                    && _shop.Roles.Any(role => role.Id == mp.CustomerRoleId && role.Active && role.TaxExempt)), v);
            case RuleFields.NewsletterSubscribed:
                return Bool(!string.IsNullOrEmpty(c.Email) && _shop.Subscriptions.Any(s => s.Active && InStore(s.StoreId)
                    && string.Equals(s.Email, c.Email, StringComparison.OrdinalIgnoreCase)), v);
            case RuleFields.CustomerRoles:
                return Set(_shop.RoleMappings.Where(mp => mp.CustomerId == c.Id).Select(mp => mp.CustomerRoleId).ToHashSet(), op, v);
            case RuleFields.RegisteredInStore: return Choice(c.RegisteredInStoreId, op, v);
            case RuleFields.Affiliate: return Choice(c.AffiliateId == 0 ? null : c.AffiliateId, op, v);
            case RuleFields.Vendor: return Choice(c.VendorId == 0 ? null : c.VendorId, op, v);
            case RuleFields.SegmentMember:
            {
                var member = _shop.Memberships.Any(ms => ms.CustomerId == c.Id && ms.LeftOnUtc == null && v.Select(x => x.GetInt32()).Contains(ms.SegmentId));
                return op == RuleOperators.In ? member : !member;
            }
        }

        throw new ArgumentException(condition.Field);
    }

    private static bool Negative(string op) => op is RuleOperators.NotEqual or RuleOperators.NotIn or RuleOperators.IsEmpty or RuleOperators.NoneOf;

    private static string Positive(string op) => op switch
    {
        RuleOperators.NotEqual => RuleOperators.Equal,
        RuleOperators.NotIn => RuleOperators.In,
        RuleOperators.IsEmpty => RuleOperators.IsNotEmpty,
        _ => op
    };

    private int Age(DateTime birth)
    {
        var today = _now.Date;
        var age = today.Year - birth.Year;
        if (birth.Date > today.AddYears(-age))
            age--;
        return age;
    }

    private Nop.Core.Domain.Common.Address Address(int? id) => id == null ? null : _shop.Addresses.FirstOrDefault(a => a.Id == id);

    private static IEnumerable<string> AttributeValues(Customer customer, int attributeId)
    {
        if (string.IsNullOrEmpty(customer.CustomCustomerAttributesXML))
            return [];
        return XDocument.Parse(customer.CustomCustomerAttributesXML).Root!.Elements("CustomerAttribute")
            .Where(e => (string)e.Attribute("ID") == attributeId.ToString())
            .SelectMany(e => e.Elements("CustomerAttributeValue").Select(x => (string)x.Element("Value")));
    }

    private HashSet<int> BoughtProductIds(Customer customer, DateTime? from)
    {
        var orderIds = Purchases(customer, from).Select(o => o.Id).ToHashSet();
        return _shop.OrderItems.Where(i => orderIds.Contains(i.OrderId)).Select(i => i.ProductId).ToHashSet();
    }

    private Dictionary<int, (int, int, int)> ComputeRfm()
    {
        var from = _now.AddDays(-_settings.RfmWindowDays);
        var stats = _shop.Customers.Where(IsEligible)
            .Select(c => (c.Id, Orders: Purchases(c, from)))
            .Where(x => x.Orders.Count > 0)
            .Select(x => (x.Id, Last: x.Orders.Max(o => o.CreatedOnUtc), Count: x.Orders.Count, Total: x.Orders.Sum(o => o.OrderTotal)))
            .ToList();
        var n = stats.Count;
        int score(int below) => 1 + 5 * below / n;

        return stats.ToDictionary(s => s.Id, s => (
            score(stats.Count(o => o.Last < s.Last)),
            score(stats.Count(o => o.Count < s.Count)),
            score(stats.Count(o => o.Total < s.Total))));
    }

    private static string RfmGroupOf(int r, int f, int m)
    {
        if (r >= 4 && f >= 4 && m >= 4) return "champions";
        if (r >= 3 && f >= 4) return "loyal";
        if (r >= 4 && f <= 2) return "new";
        if (r >= 3 && f <= 3) return "potentialLoyalists";
        if (r <= 2 && f >= 3) return "atRisk";
        return "hibernating";
    }

    private static bool Text(string value, string op, List<JsonElement> v)
    {
        var empty = string.IsNullOrEmpty(value);
        var operand = v.Count > 0 ? v[0].GetString() : null;
        return op switch
        {
            RuleOperators.IsEmpty => empty,
            RuleOperators.IsNotEmpty => !empty,
            RuleOperators.Equal => !empty && string.Equals(value, operand, StringComparison.OrdinalIgnoreCase),
            RuleOperators.NotEqual => empty || !string.Equals(value, operand, StringComparison.OrdinalIgnoreCase),
            RuleOperators.In => !empty && v.Any(x => string.Equals(value, x.GetString(), StringComparison.OrdinalIgnoreCase)),
            RuleOperators.NotIn => empty || !v.Any(x => string.Equals(value, x.GetString(), StringComparison.OrdinalIgnoreCase)),
            RuleOperators.Contains => value != null && value.Contains(operand, StringComparison.OrdinalIgnoreCase),
            RuleOperators.StartsWith => value != null && value.StartsWith(operand, StringComparison.OrdinalIgnoreCase),
            RuleOperators.EndsWith => value != null && value.EndsWith(operand, StringComparison.OrdinalIgnoreCase),
            _ => throw new ArgumentException(op)
        };
    }

    private static bool StringChoice(string value, string op, List<JsonElement> v) => op switch
    {
        RuleOperators.IsEmpty => string.IsNullOrEmpty(value),
        RuleOperators.IsNotEmpty => !string.IsNullOrEmpty(value),
        RuleOperators.Equal or RuleOperators.In => v.Any(x => string.Equals(x.GetString(), value, StringComparison.OrdinalIgnoreCase)),
        _ => !v.Any(x => string.Equals(x.GetString(), value, StringComparison.OrdinalIgnoreCase))
    };

    private static bool Choice(int? value, string op, List<JsonElement> v)
    {
        var has = value is > 0;
        var ids = v.Select(x => x.GetInt32()).ToList();
        return op switch
        {
            RuleOperators.IsEmpty => !has,
            RuleOperators.IsNotEmpty => has,
            RuleOperators.Equal or RuleOperators.In => has && ids.Contains(value.Value),
            _ => !(has && ids.Contains(value.Value))
        };
    }

    private static bool Set(ISet<int> set, string op, List<JsonElement> v)
    {
        var ids = v.Select(x => x.GetInt32()).ToList();
        return op switch
        {
            RuleOperators.AnyOf => ids.Any(set.Contains),
            RuleOperators.AllOf => ids.All(set.Contains),
            _ => !ids.Any(set.Contains)
        };
    }

    private static bool Bool(bool value, List<JsonElement> v) => value == v[0].GetBoolean();

    private static bool Number(decimal? value, string op, List<JsonElement> v)
    {
        if (op == RuleOperators.IsEmpty) return value == null;
        if (op == RuleOperators.IsNotEmpty) return value != null;
        if (op == RuleOperators.NotEqual) return !(value == v[0].GetDecimal());
        if (value == null) return false;
        var x = v[0].GetDecimal();
        return op switch
        {
            RuleOperators.Equal => value == x,
            RuleOperators.GreaterThan => value > x,
            RuleOperators.GreaterThanOrEqual => value >= x,
            RuleOperators.LessThan => value < x,
            RuleOperators.LessThanOrEqual => value <= x,
            RuleOperators.Between => value >= x && value <= v[1].GetDecimal(),
            _ => throw new ArgumentException(op)
        };
    }

    private bool Date(DateTime? value, string op, List<JsonElement> v)
    {
        if (op == RuleOperators.IsEmpty) return value == null;
        if (value == null) return false;
        if (op == RuleOperators.IsNotEmpty) return true;

        DateTime day(int i) => DateTime.ParseExact(v[i].GetString(), "yyyy-MM-dd", null);
        var date = value.Value;
        return op switch
        {
            RuleOperators.Equal => date.Date == day(0),
            RuleOperators.Before => date.Date < day(0),
            RuleOperators.After => date.Date > day(0),
            RuleOperators.BetweenDates => date.Date >= day(0) && date.Date <= day(1),
            RuleOperators.InLastDays => date >= _now.AddDays(-v[0].GetInt32()),
            RuleOperators.MoreThanDaysAgo => date < _now.AddDays(-v[0].GetInt32()),
            _ => throw new ArgumentException(op)
        };
    }
}
