using System.Linq.Expressions;
using LinqToDB;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Services.Configuration;
using Nop.Services.Helpers;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleExpressions;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Compiles a rule into one query over nopCommerce's tables: groups become AND/OR/NOT, conditions EXISTS,
/// comparisons and grouped subqueries. Order counts, totals, dates and RFM scores are read from the plugin's order
/// statistics (<see cref="CustomerOrderStatistics"/>), which must be refreshed before the query runs. Every condition is two-valued (true or false, never NULL), so that
/// negated groups mean "not" for customers without the data too. Dates relative to now are computed here and
/// compared with columns as parameters; text compares without regard to capitals (LOWER on both sides), and otherwise as
/// the database's collation does (MySQL's utf8mb4_unicode_ci also equates accents and ignores trailing spaces).
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
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IRepository<SegmentMembership> _segmentMembershipRepository;
    protected readonly IRepository<ShoppingCartItem> _shoppingCartItemRepository;
    protected readonly IRepository<CustomerOrderStatistics> _orderStatisticsRepository;
    protected readonly IRepository<CustomerDailyPurchases> _dailyPurchasesRepository;
    protected readonly IRepository<CustomerPurchasedProduct> _purchasedProductRepository;
    protected readonly IDateTimeHelper _dateTimeHelper;
    protected readonly ISettingService _settingService;

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
        IRepository<Segment> segmentRepository,
        IRepository<SegmentMembership> segmentMembershipRepository,
        IRepository<ShoppingCartItem> shoppingCartItemRepository,
        IRepository<CustomerOrderStatistics> orderStatisticsRepository,
        IRepository<CustomerDailyPurchases> dailyPurchasesRepository,
        IRepository<CustomerPurchasedProduct> purchasedProductRepository,
        IDateTimeHelper dateTimeHelper,
        ISettingService settingService)
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
        _segmentRepository = segmentRepository;
        _segmentMembershipRepository = segmentMembershipRepository;
        _shoppingCartItemRepository = shoppingCartItemRepository;
        _orderStatisticsRepository = orderStatisticsRepository;
        _dailyPurchasesRepository = dailyPurchasesRepository;
        _purchasedProductRepository = purchasedProductRepository;
        _dateTimeHelper = dateTimeHelper;
        _settingService = settingService;
    }

    /// <summary>
    /// The time zone whose days the rules' calendar dates and ages count in: the store's, as nopCommerce's admin shows
    /// dates (UTC when none is set)
    /// </summary>
    protected virtual TimeZoneInfo StoreTimeZone => StoreDays.ZoneOf(_dateTimeHelper);

    protected virtual DateTime StartOfDayUtc(DateTime day) => StoreDays.StartUtc(day, StoreTimeZone);

    protected virtual DateTime StoreToday(DateTime nowUtc) => StoreDays.DateOf(nowUtc, StoreTimeZone);

    /// <summary>
    /// Whether a rule tests the shopping cart or the wishlist
    /// </summary>
    protected static bool ReadsCarts(RuleGroup group) =>
        (group.Children ?? []).Any(child => child switch
        {
            RuleGroup inner => ReadsCarts(inner),
            RuleCondition { Field: RuleFields.AbandonedCart or RuleFields.WishlistNotEmpty } => true,
            _ => false
        });

    /// <summary>
    /// What the rule's queries are built for. Whether carts are shared between stores is read for the segment's store:
    /// a store may override nopCommerce's shopping cart settings, and the request evaluating the segment (an order
    /// event, the scheduled task) may be another store's
    /// </summary>
    protected virtual async Task<RuleQueryContext> PrepareContextAsync(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        var cartsShared = storeId > 0 && ReadsCarts(rule.Root)
            && (await _settingService.LoadSettingAsync<ShoppingCartSettings>(storeId)).CartsSharedBetweenStores;

        return new RuleQueryContext(storeId, DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc), cartsShared);
    }

    public virtual async Task<IQueryable<int>> BuildMatchingCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(rule.Root);

        var context = await PrepareContextAsync(rule, storeId, nowUtc);
        var predicate = BuildGroup(rule.Root, context);
        var customers = SelectsFewCandidates(rule.Root) ? await GetEligibleCustomersTestedOneByOneAsync() : GetEligibleCustomers();

        return customers.Where(predicate).Select(customer => customer.Id);
    }

    public virtual async Task<IQueryable<int>> BuildConditionsCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(rule.Root);

        var context = await PrepareContextAsync(rule, storeId, nowUtc);
        //without the eligibility no Customer row is needed when the statistics alone decide
        var fromStatistics = StatisticsRowsCustomerIds(rule.Root, context);
        if (fromStatistics != null)
            return fromStatistics;

        //nor when one condition names the candidates from another table and the others test only the customer's id
        var fromCandidates = CandidatesCustomerIds(rule.Root, context);
        if (fromCandidates != null)
            return fromCandidates;

        var predicate = BuildGroup(rule.Root, context);

        return _customerRepository.Table.Where(predicate).Select(customer => customer.Id);
    }

    public virtual Func<CustomerOrderFigures, bool?> BuildOrderFiguresDecision(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(rule.Root);

        if (AndedChildren(rule.Root) is not { } children)
            return null;

        var now = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
        var tests = new List<Func<CustomerOrderFigures, bool?>>();
        var othersDecide = false;
        foreach (var child in children)
        {
            var test = child is RuleCondition condition ? OrderFiguresTest(condition, storeId, now) : null;
            if (test == null)
                othersDecide = true;
            else
                tests.Add(test);
        }

        if (tests.Count == 0)
            return null;

        return figures =>
        {
            var undecided = othersDecide;
            foreach (var test in tests)
            {
                var passes = test(figures);
                if (passes == false)
                    return false;

                undecided |= passes == null;
            }

            return undecided ? null : true;
        };
    }

    public virtual IEnumerable<DateTime> GetDecisionPeriodStarts(SegmentRule rule, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(rule);

        var now = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);

        return (rule.Root is { } root ? AndedChildren(root) ?? [] : [])
            .OfType<RuleCondition>()
            .Where(IsPeriodPurchases)
            .Select(condition => PeriodStart(condition, now))
            .OfType<DateTime>()
            .Distinct()
            .ToList();
    }

    public virtual PurchaseNames GetDecisionPurchaseNames(SegmentRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);

        var names = new PurchaseNames();
        foreach (var condition in (rule.Root is { } root ? AndedChildren(root) ?? [] : []).OfType<RuleCondition>().Where(IsDecidedPurchase))
            names.Add(condition.Field, RuleValues.Ints(condition.Values ?? []));

        return names;
    }

    #region Customers and orders

    /// <summary>
    /// Customers a segment can have: not deleted, not system accounts (search engine, background task), and
    /// guests (in the Guests role, not Registered) only when the settings include them
    /// </summary>
    public virtual IQueryable<Customer> GetEligibleCustomers() =>
        SegmentQueries.EligibleCustomers(_customerRepository.Table, _customerRoleRepository.Table, _customerRoleMappingRepository.Table, _settings);

    public virtual EligibilityQueries BuildEligibilityQueries() =>
        SegmentQueries.EligibilityParts(_customerRepository.Table, _customerRoleRepository.Table, _customerRoleMappingRepository.Table, _settings);

    /// <summary>
    /// The eligible customers with the guest test made per customer (see SegmentQueries.EligibleCustomersTestedOneByOne),
    /// for rules that name few candidates (see <see cref="SelectsFewCandidates"/>)
    /// </summary>
    public virtual async Task<IQueryable<Customer>> GetEligibleCustomersTestedOneByOneAsync()
    {
        List<(int Id, bool Guests)> roles = [];
        if (!_settings.IncludeGuests)
        {
            //the names compared by the database, as SegmentQueries.EligibleCustomers compares them
            var guests = _customerRoleRepository.Table.Where(SegmentQueries.SystemNameIs(NopCustomerDefaults.GuestsRoleName))
                .Select(r => new { r.Id, Guests = true });
            var registered = _customerRoleRepository.Table.Where(SegmentQueries.SystemNameIs(NopCustomerDefaults.RegisteredRoleName))
                .Select(r => new { r.Id, Guests = false });
            var rows = await guests.Concat(registered).ToListAsync();
            roles = rows.Select(r => (r.Id, r.Guests)).ToList();
        }

        return SegmentQueries.EligibleCustomersTestedOneByOne(_customerRepository.Table, _customerRoleMappingRepository.Table,
            roles.Where(r => r.Guests).Select(r => r.Id).ToList(), roles.Where(r => !r.Guests).Select(r => r.Id).ToList(), _settings);
    }

    /// <summary>
    /// Whether a selective condition of the rule's AND (not negated) names the candidates, so that the guest test is
    /// better made per candidate than as an anti-join over all customers: a test of the purchases of a period that
    /// customers without purchases fail (a grouped subquery), a purchase of products, categories or manufacturers
    /// (the buyers from a join), or a registration in the last days (a range of Customer.CreatedOnUtc)
    /// </summary>
    protected virtual bool SelectsFewCandidates(RuleGroup group) =>
        group.Match == GroupMatch.All && !group.Negate && (group.Children ?? []).Any(child => child switch
        {
            RuleGroup inner => SelectsFewCandidates(inner),
            RuleCondition { Field: RuleFields.RegisteredDate, Operator: InLastDays } => true,
            RuleCondition { Field: RuleFields.BoughtProducts or RuleFields.BoughtCategories or RuleFields.BoughtManufacturers } condition =>
                !_negatedOperators.ContainsKey(condition.Operator),
            RuleCondition { Field: RuleFields.OrderCountInPeriod or RuleFields.SpentInPeriod } condition =>
                !_negatedOperators.ContainsKey(condition.Operator) && !PassesWithoutPurchases(PeriodTest(condition.Field, condition.Operator, condition.Values ?? [])),
            _ => false
        });

    /// <summary>
    /// Orders that count as purchases: not deleted, a purchase payment status, not an excluded order status,
    /// in the segment's store
    /// </summary>
    public virtual IQueryable<Order> GetPurchases(int storeId, DateTime? fromUtc = null) =>
        FilterOrders(SegmentQueries.Purchases(_orderRepository.Table, _settings), storeId, fromUtc);

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
        IEnumerable<RuleNode> nodes = group.Children ?? [];
        var children = new List<Expression<Func<Customer, bool>>>();
        if (group.Match == GroupMatch.All)
        {
            //purchases of one kind ANDed (here or in nested ANDs) become one grouped subquery: see BuyersOfEach
            var anded = AndedNodes(group);
            var purchases = anded.OfType<RuleCondition>().Where(IsPurchaseOfAny).GroupBy(condition => condition.Field)
                .Where(kind => kind.Count() > 1).ToList();
            if (purchases.Count > 0)
            {
                var folded = purchases.SelectMany(kind => kind).ToHashSet(ReferenceEqualityComparer.Instance);
                children.AddRange(purchases.Select(kind => BuyersOfEach(kind.Key, kind.ToList(), context)));
                nodes = anded.Where(node => !folded.Contains(node));
            }
        }

        children.AddRange(nodes.Select(child => child switch
        {
            RuleGroup inner => BuildGroup(inner, context),
            RuleCondition condition => BuildCondition(condition, context),
            _ => throw new ArgumentException("The rule has an empty node", nameof(group))
        }));

        var predicate = group.Match == GroupMatch.Any ? Any(children) : All(children);
        return group.Negate ? Not(predicate) : predicate;
    }

    /// <summary>
    /// The nodes an AND group requires, with those of its nested plain ANDs (not negated) in place of these groups
    /// </summary>
    protected static List<RuleNode> AndedNodes(RuleGroup group) =>
        (group.Children ?? []).SelectMany(child => child is RuleGroup { Match: GroupMatch.All, Negate: false } inner
            ? AndedNodes(inner)
            : [child]).ToList();

    /// <summary>
    /// Whether a condition is a purchase of any of some products, categories or manufacturers (not negated)
    /// </summary>
    protected static bool IsPurchaseOfAny(RuleCondition condition) =>
        condition is { Field: RuleFields.BoughtProducts or RuleFields.BoughtCategories or RuleFields.BoughtManufacturers, Operator: AnyOf }
        && RuleValues.Ints(condition.Values ?? []).Count > 0;

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
                return AtLeastMeasure(c => c.DateOfBirth != null, years => AgeAtLeast(years, StoreToday(now)), op, values);
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
                return BillingAddress(NullableIntChoice<Address>(a => a.CountryId, op, values));
            case RuleFields.BillingStateProvince:
                return BillingAddress(NullableIntChoice<Address>(a => a.StateProvinceId, op, values));
            case RuleFields.BillingCity:
                return BillingAddress(Apply<Address, string>(a => a.City, Text(op, values)));
            case RuleFields.BillingZipPostalCode:
                return BillingAddress(Apply<Address, string>(a => a.ZipPostalCode, Text(op, values)));
            case RuleFields.ShippingCountry:
                return ShippingAddress(NullableIntChoice<Address>(a => a.CountryId, op, values));
            case RuleFields.ShippingStateProvince:
                return ShippingAddress(NullableIntChoice<Address>(a => a.StateProvinceId, op, values));
            case RuleFields.ShippingCity:
                return ShippingAddress(Apply<Address, string>(a => a.City, Text(op, values)));
            case RuleFields.ShippingZipPostalCode:
                return ShippingAddress(Apply<Address, string>(a => a.ZipPostalCode, Text(op, values)));

            //behaviour
            case RuleFields.OrderCount:
            case RuleFields.TotalSpent:
            case RuleFields.AverageOrderValue:
            case RuleFields.FirstOrderDate:
            case RuleFields.LastOrderDate:
            case RuleFields.DaysSinceLastOrder:
            case RuleFields.RefundedOrderCount:
            case RuleFields.CancelledOrderCount:
                return Statistics(storeId, StatisticsTest(condition, op, now));
            case RuleFields.OrderCountInPeriod:
            case RuleFields.SpentInPeriod:
                return PeriodAggregate(PeriodSums(storeId, PeriodStart(condition, now)), PeriodTest(condition.Field, op, values));
            case RuleFields.BoughtProducts:
            case RuleFields.BoughtCategories:
            case RuleFields.BoughtManufacturers:
                return op == AllOf
                    ? BuyersOfAll(condition.Field, RuleValues.Ints(values), storeId, PeriodStart(condition, now))
                    : Set(ids => Buyers(condition.Field, ids, storeId, PeriodStart(condition, now)), op, values);
            case RuleFields.AbandonedCart:
                return Boolean(AbandonedCart(context, PeriodStart(condition, now) ?? now), values);
            case RuleFields.WishlistNotEmpty:
                return Boolean(CartNotEmpty(ShoppingCartType.Wishlist, context), values);

            //RFM
            case RuleFields.RfmRecency:
            case RuleFields.RfmFrequency:
            case RuleFields.RfmMonetary:
            case RuleFields.RfmGroup:
                return Rfm(RfmTest(condition, op), storeId);

            //engagement
            case RuleFields.RegisteredDate:
                return Date<Customer>(c => (DateTime?)c.CreatedOnUtc, op, values, now);
            case RuleFields.LastLoginDate:
                return Date<Customer>(c => c.LastLoginDateUtc, op, values, now);
            case RuleFields.LastActivityDate:
                return Date<Customer>(c => (DateTime?)c.LastActivityDateUtc, op, values, now);
            case RuleFields.Active:
                return Boolean(c => c.Active, values);
            case RuleFields.TaxExempt:
                return Boolean(TaxExempt(), values);
            case RuleFields.NewsletterSubscribed:
                return Boolean(NewsletterSubscribed(storeId), values);
            case RuleFields.CustomerRoles:
                return op == AllOf ? CustomerRolesOfAll(RuleValues.Ints(values)) : Set(CustomerRoles, op, values);
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
                return RuleExpressions.OneOf(selector, RuleValues.Ints(values));
            default:
                throw new ArgumentException($"Operator '{op}' does not apply to a choice", nameof(op));
        }
    }

    /// <summary>
    /// A choice of an optional id (null and 0 being none), compared with the column itself so that its index serves
    /// </summary>
    protected virtual Expression<Func<T, bool>> NullableIntChoice<T>(Expression<Func<T, int?>> selector, string op, List<System.Text.Json.JsonElement> values)
    {
        var hasValue = Apply(selector, id => id != null);
        var value = Expression.Lambda<Func<T, int>>(Expression.Property(selector.Body, nameof(Nullable<int>.Value)), selector.Parameters);
        switch (op)
        {
            case IsNotEmpty:
                return And(hasValue, Compare(value, ExpressionType.GreaterThan, 0));
            case Equal:
                return And(hasValue, Compare(value, ExpressionType.Equal, RuleValues.Int(values[0])));
            case In:
                return And(hasValue, RuleExpressions.OneOf(value, RuleValues.Ints(values)));
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
    /// A date test; days are the store's (see <see cref="StoreTimeZone"/>), "after" a day means from the next day on
    /// </summary>
    protected virtual Expression<Func<T, bool>> Date<T>(Expression<Func<T, DateTime?>> selector, string op,
        List<System.Text.Json.JsonElement> values, DateTime nowUtc)
    {
        var hasValue = Apply(selector, d => d != null);
        if (op == IsNotEmpty)
            return hasValue;

        Expression<Func<T, bool>> from(DateTime date) => And(hasValue, Compare(selector, ExpressionType.GreaterThanOrEqual, (DateTime?)date));
        Expression<Func<T, bool>> before(DateTime date) => And(hasValue, Compare(selector, ExpressionType.LessThan, (DateTime?)date));

        switch (op)
        {
            case Equal:
                var day = RuleValues.Date(values[0]);
                return And(from(StartOfDayUtc(day)), before(StartOfDayUtc(day.AddDays(1))));
            case Before:
                return before(StartOfDayUtc(RuleValues.Date(values[0])));
            case After:
                return from(StartOfDayUtc(RuleValues.Date(values[0]).AddDays(1)));
            case BetweenDates:
                return And(from(StartOfDayUtc(RuleValues.Date(values[0]))), before(StartOfDayUtc(RuleValues.Date(values[1]).AddDays(1))));
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

    private static Expression<Func<Customer, bool>> AgeAtLeast(int years, DateTime today)
    {
        //at least n years old: born on or before today n years ago
        var bornBefore = today.AddYears(-Math.Min(years, today.Year - 1)).AddDays(1);
        return c => c.DateOfBirth != null && c.DateOfBirth < bornBefore;
    }

    #endregion

    #region Demographic and geographic

    /// <summary>
    /// nopCommerce keeps customer attributes as XML without whitespace: per attribute one
    /// <c>&lt;CustomerAttribute ID="k"&gt;</c> element holding its values (option ids, or one text), each
    /// <c>&lt;CustomerAttributeValue&gt;&lt;Value&gt;v&lt;/Value&gt;&lt;/CustomerAttributeValue&gt;</c>. Option v of
    /// attribute k is chosen when it is the attribute's only value, or one of several values: an element v that
    /// is the only value of its attribute is then another attribute's (a text equal to "v"), and is taken out first.
    /// The texts, made of the attribute's and the options' ids, are written into the SQL: four parameters per option
    /// would pass SQL Server's 2,100 with a few hundred options.
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> CustomerAttributeValues(string key, string op, List<System.Text.Json.JsonElement> values)
    {
        var attribute = AttributeElement(key);
        return Set(ids => Any(ids.Select(id =>
        {
            var value = $"{AttributeValueStart}{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}{AttributeValueEnd}";
            var onlyValue = $"{attribute}{value}{AttributeEnd}";
            var onlyValueOfAny = $"\">{value}{AttributeEnd}";
            var emptied = $"\">{AttributeEnd}";
            return RuleExpressions.WithLiterals<Customer>(c => c.CustomCustomerAttributesXML != null
                && (c.CustomCustomerAttributesXML.Contains(onlyValue)
                    || (c.CustomCustomerAttributesXML.Contains(attribute)
                        && c.CustomCustomerAttributesXML.Replace(onlyValueOfAny, emptied).Contains(value))));
        })), op, values);
    }

    /// <summary>
    /// A text attribute has one value: the attribute's element with exactly that text (escaped as nopCommerce's
    /// XML writer does), without regard to capitals. nopCommerce stores a text box of spaces as the empty text.
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> CustomerAttributeText(string key, string op, List<System.Text.Json.JsonElement> values)
    {
        var attribute = AttributeElement(key);
        if (op == IsNotEmpty)
        {
            var emptyText = $"{attribute}{AttributeValueStart}{AttributeValueEnd}{AttributeEnd}";
            return c => c.CustomCustomerAttributesXML != null && c.CustomCustomerAttributesXML.Contains(attribute)
                && !c.CustomCustomerAttributesXML.Contains(emptyText);
        }

        var element = $"{attribute}{AttributeValueStart}{EscapeXmlText(values[0].GetString())}{AttributeValueEnd}{AttributeEnd}".ToLowerInvariant();
        return c => c.CustomCustomerAttributesXML != null && c.CustomCustomerAttributesXML.ToLower().Contains(element);
    }

    private const string AttributeValueStart = "<CustomerAttributeValue><Value>";
    private const string AttributeValueEnd = "</Value></CustomerAttributeValue>";
    private const string AttributeEnd = "</CustomerAttribute>";

    private static string EscapeXmlText(string text)
    {
        var element = new System.Xml.XmlDocument().CreateElement("Value");
        element.InnerText = text ?? string.Empty;
        return element.InnerXml;
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
        //no "BillingAddressId != null" beside the EXISTS (which implies it): PostgreSQL estimates the two as
        //independent, and the lower estimate leads it to scan every customer with an address instead of the matching addresses' customers
        var addresses = _addressRepository.Table.Where(test);
        return c => addresses.Any(a => a.Id == c.BillingAddressId);
    }

    protected virtual Expression<Func<Customer, bool>> ShippingAddress(Expression<Func<Address, bool>> test)
    {
        var addresses = _addressRepository.Table.Where(test);
        return c => addresses.Any(a => a.Id == c.ShippingAddressId);
    }

    #endregion

    #region Behaviour

    /// <summary>
    /// The test of a statistics row a condition on an order statistics field makes (null for other fields)
    /// </summary>
    protected virtual Expression<Func<CustomerOrderStatistics, bool>> StatisticsTest(RuleCondition condition, string op, DateTime now)
    {
        var values = condition.Values ?? [];
        return condition.Field switch
        {
            RuleFields.OrderCount => Number<CustomerOrderStatistics>(s => s.OrderCount, op, values),
            RuleFields.TotalSpent => Number<CustomerOrderStatistics>(s => s.TotalSpent, op, values),
            RuleFields.AverageOrderValue => AverageOrderValue(op, values),
            RuleFields.FirstOrderDate => Date<CustomerOrderStatistics>(s => s.FirstOrderOnUtc, op, values, now),
            RuleFields.LastOrderDate => Date<CustomerOrderStatistics>(s => s.LastOrderOnUtc, op, values, now),
            RuleFields.DaysSinceLastOrder => DaysSinceLastOrder(op, values, now),
            RuleFields.RefundedOrderCount => Number<CustomerOrderStatistics>(s => s.RefundedOrderCount, op, values),
            RuleFields.CancelledOrderCount => Number<CustomerOrderStatistics>(s => s.CancelledOrderCount, op, values),
            _ => null
        };
    }

    /// <summary>
    /// The test of the RFM scores a condition on an RFM field makes (null for other fields)
    /// </summary>
    protected virtual Expression<Func<CustomerOrderStatistics, bool>> RfmTest(RuleCondition condition, string op)
    {
        var values = condition.Values ?? [];
        return condition.Field switch
        {
            RuleFields.RfmRecency => Number<CustomerOrderStatistics>(s => s.RecencyScore, op, values),
            RuleFields.RfmFrequency => Number<CustomerOrderStatistics>(s => s.FrequencyScore, op, values),
            RuleFields.RfmMonetary => Number<CustomerOrderStatistics>(s => s.MonetaryScore, op, values),
            RuleFields.RfmGroup => Any(RuleValues.Strings(values).Select(RfmGroup)),
            _ => null
        };
    }

    /// <summary>
    /// The test a condition on an order statistics or RFM field makes of the customer's statistics row in the store,
    /// compiled: what <see cref="Statistics"/> and <see cref="Rfm"/> (and their negations) ask the database, applied to
    /// the row, or to an empty row when the customer has none (every test is two-valued: nulls fail it explicitly).
    /// Null for conditions on other fields.
    /// </summary>
    protected virtual Func<CustomerOrderStatistics, bool> StatisticsRowTest(RuleCondition condition, DateTime now)
    {
        var op = condition.Operator ?? string.Empty;
        var negated = _negatedOperators.TryGetValue(op, out var positive);
        if (!negated)
            positive = op;

        var rfm = RfmTest(condition, positive);
        var test = rfm != null ? And(Scored(), rfm) : StatisticsTest(condition, positive, now);
        if (test == null)
            return null;

        var compiled = test.Compile(preferInterpretation: true);
        return negated ? row => !compiled(row) : compiled;
    }

    /// <summary>
    /// The condition tested on a customer's figures in memory (see <see cref="BuildOrderFiguresDecision"/>): an order
    /// statistics or RFM condition on his statistics row in the store (none: no orders there, tested as the SQL does),
    /// a period purchase condition on his purchases of the period (null when the figures do not hold the period); null
    /// for other conditions
    /// </summary>
    protected virtual Func<CustomerOrderFigures, bool?> OrderFiguresTest(RuleCondition condition, int storeId, DateTime now)
    {
        if (IsDecidedPurchase(condition))
        {
            var ids = RuleValues.Ints(condition.Values ?? []).Distinct().ToList();
            var start = PeriodStart(condition, now);
            var (field, negated, each) = (condition.Field, condition.Operator == NoneOf, condition.Operator == AllOf);

            return figures => figures?.NamedPurchases?.Bought(field, ids, storeId, start, each) is { } bought ? bought != negated : null;
        }

        if (IsPeriodPurchases(condition))
        {
            if (PeriodStart(condition, now) is not { } start)
                return null;

            var op = condition.Operator ?? string.Empty;
            var negated = _negatedOperators.TryGetValue(op, out var positive);
            var test = PeriodTest(condition.Field, negated ? positive : op, condition.Values ?? []).Compile(preferInterpretation: true);

            return figures => figures?.PurchasesOfPeriods?.GetPurchases(storeId, start) is { } purchases ? test(purchases) != negated : null;
        }

        var rowTest = StatisticsRowTest(condition, now);
        if (rowTest == null)
            return null;

        return figures => rowTest(figures?.Statistics?.FirstOrDefault(row => row.StoreId == storeId) ?? new CustomerOrderStatistics { StoreId = storeId });
    }

    /// <summary>
    /// Whether a condition is a purchase of some products, categories or manufacturers that the figures of an order's
    /// refresh can decide (see <see cref="CustomerOrderFigures.NamedPurchases"/>)
    /// </summary>
    private static bool IsDecidedPurchase(RuleCondition condition) =>
        PurchaseNames.IsPurchaseField(condition.Field) && condition.Operator is AnyOf or NoneOf or AllOf
        && RuleValues.Ints(condition.Values ?? []).Count > 0;

    private static bool IsPeriodPurchases(RuleCondition condition) =>
        condition.Field is RuleFields.OrderCountInPeriod or RuleFields.SpentInPeriod;

    /// <summary>
    /// The children of a group that is a plain AND (not negated, not empty); null for any other group
    /// </summary>
    protected static IList<RuleNode> AndedChildren(RuleGroup group) =>
        group.Match == GroupMatch.All && !group.Negate && group.Children is { Count: > 0 } children ? children : null;

    /// <summary>
    /// For a rule that is an AND of order statistics and RFM conditions which customers without statistics fail:
    /// the customers whose statistics row in the store passes every test, read from the statistics alone (one row per
    /// customer and store). Null for any other rule.
    /// </summary>
    protected virtual IQueryable<int> StatisticsRowsCustomerIds(RuleGroup root, RuleQueryContext context)
    {
        if (AndedChildren(root) is not { } children)
            return null;

        var tests = new List<Expression<Func<CustomerOrderStatistics, bool>>>();
        var failsWithoutStatistics = false;
        foreach (var child in children)
        {
            if (child is not RuleCondition condition || _negatedOperators.ContainsKey(condition.Operator ?? string.Empty))
                return null;

            var rfm = RfmTest(condition, condition.Operator);
            if (rfm != null)
            {
                tests.Add(And(Scored(), rfm));
                failsWithoutStatistics = true;
                continue;
            }

            var test = StatisticsTest(condition, condition.Operator, context.NowUtc);
            if (test == null)
                return null;

            tests.Add(test);
            failsWithoutStatistics |= !test.Compile(preferInterpretation: true)(new CustomerOrderStatistics());
        }

        if (!failsWithoutStatistics)
            return null;

        var storeId = context.StoreId;
        return _orderStatisticsRepository.Table.Where(s => s.StoreId == storeId).Where(All(tests)).Select(s => s.CustomerId);
    }

    /// <summary>
    /// For a rule that is an AND (not negated) with a condition that names its customers from another table (bought
    /// products, categories or manufacturers, any of them; purchases of a period that customers without purchases
    /// fail; any of some roles) and other conditions that test only the customer's id (no column of the Customer row:
    /// order statistics, roles, purchases, carts, segments): the first such condition's customer ids, filtered by the
    /// others, without reading the Customer table. The ids may be of customers that no longer exist: the caller keeps
    /// the eligible ones (read from the Customer table). Null for any other rule.
    /// </summary>
    protected virtual IQueryable<int> CandidatesCustomerIds(RuleGroup root, RuleQueryContext context)
    {
        if (AndedChildren(root) is not { } children)
            return null;

        RuleCondition source = null;
        IQueryable<int> candidates = null;
        foreach (var child in children)
        {
            if (child is RuleCondition condition && (candidates = CandidateIds(condition, context)) != null)
            {
                source = condition;
                break;
            }
        }

        if (candidates == null)
            return null;

        var others = children.Where(child => child != source).ToList();
        if (others.Count == 0)
            return candidates;

        var test = OfCustomerId(BuildGroup(new RuleGroup { Match = GroupMatch.All, Children = others }, context));
        return test == null ? null : candidates.Where(test);
    }

    /// <summary>
    /// The ids of the customers a condition names from another table than Customer (see <see cref="CandidatesCustomerIds"/>),
    /// or null for a condition that does not
    /// </summary>
    protected virtual IQueryable<int> CandidateIds(RuleCondition condition, RuleQueryContext context)
    {
        var values = condition.Values ?? [];
        switch (condition.Field)
        {
            case RuleFields.BoughtProducts or RuleFields.BoughtCategories or RuleFields.BoughtManufacturers when condition.Operator == AnyOf:
                return BuyerIds(condition.Field, RuleValues.Ints(values), context.StoreId, PeriodStart(condition, context.NowUtc)).Distinct();
            case RuleFields.OrderCountInPeriod or RuleFields.SpentInPeriod when !_negatedOperators.ContainsKey(condition.Operator ?? string.Empty):
                var test = PeriodTest(condition.Field, condition.Operator, values);
                return PassesWithoutPurchases(test) ? null : PeriodPassingIds(PeriodSums(context.StoreId, PeriodStart(condition, context.NowUtc)), test);
            case RuleFields.CustomerRoles when condition.Operator == AnyOf:
                var roleIds = RuleValues.Ints(values);
                //a customer has one mapping per role
                return roleIds.Distinct().Count() == 1 ? RoleMemberIds(roleIds) : RoleMemberIds(roleIds).Distinct();
            default:
                return null;
        }
    }

    /// <summary>
    /// The test of a customer as a test of the customer's id, when it reads no other column of the Customer row; else null
    /// </summary>
    protected static Expression<Func<int, bool>> OfCustomerId(Expression<Func<Customer, bool>> test)
    {
        var id = Expression.Parameter(typeof(int), "customerId");
        var visitor = new CustomerIdReplacer(test.Parameters[0], id);
        var body = visitor.Visit(test.Body);

        return visitor.ReadsOtherColumns ? null : Expression.Lambda<Func<int, bool>>(body, id);
    }

    /// <summary>
    /// Replaces customer.Id with the id; notes any other use of the customer
    /// </summary>
    private sealed class CustomerIdReplacer(ParameterExpression customer, ParameterExpression id) : ExpressionVisitor
    {
        public bool ReadsOtherColumns { get; private set; }

        protected override Expression VisitMember(MemberExpression node) =>
            node.Expression == customer && node.Member.Name == nameof(Customer.Id) ? id : base.VisitMember(node);

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (node == customer)
                ReadsOtherColumns = true;

            return node;
        }
    }

    /// <summary>
    /// A test of the customer's order statistics in the store: one semi-join (EXISTS) over the statistics rows that
    /// pass, or, when a customer without a row (no orders) passes too, an anti-join over the rows that fail
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> Statistics(int storeId, Expression<Func<CustomerOrderStatistics, bool>> test)
    {
        var rows = _orderStatisticsRepository.Table.Where(s => s.StoreId == storeId);
        if (test.Compile(preferInterpretation: true)(new CustomerOrderStatistics()))
        {
            var failing = rows.Where(Not(test));
            return c => !failing.Any(s => s.CustomerId == c.Id);
        }

        var passing = rows.Where(test);
        return c => passing.Any(s => s.CustomerId == c.Id);
    }

    /// <summary>
    /// A test of the purchases of a period per customer: one grouped subquery (GROUP BY customer), the customers
    /// whose sums pass, or, when a customer without purchases in the period passes too, all but those whose sums fail.
    /// The orders are not narrowed first to the customers whose order statistics could pass (last order in the
    /// period, total at least the amount): measured at 1,000,000 customers, those customers own 3.5 of the 5 million
    /// orders, PostgreSQL keeps its scan of the orders and adds a probe per order, and the query is no faster.
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> PeriodAggregate(IQueryable<PeriodAggregateRow> sums, Expression<Func<PeriodAggregateRow, bool>> test)
    {
        if (PassesWithoutPurchases(test))
        {
            var failing = sums.Where(Not(test)).Select(a => a.CustomerId);
            return c => !failing.Any(id => id == c.Id);
        }

        var passing = PeriodPassingIds(sums, test);
        return c => passing.Contains(c.Id);
    }

    /// <summary>
    /// The ids of the customers whose purchases of the period pass the test
    /// </summary>
    protected virtual IQueryable<int> PeriodPassingIds(IQueryable<PeriodAggregateRow> sums, Expression<Func<PeriodAggregateRow, bool>> test) =>
        sums.Where(test).Select(a => a.CustomerId);

    /// <summary>
    /// Whether the purchases per customer and day and the products bought per customer are current (kept with the order
    /// statistics, under their settings key)
    /// </summary>
    protected virtual bool PurchaseFiguresAreCurrent() =>
        CustomerOrderStatisticsService.AreCurrentFor(_settings);

    /// <summary>
    /// The purchases since a moment (null: all) summed up per customer (one row per customer with purchases). From
    /// the purchases per day when they are current (<see cref="SegmentQueries.PurchasesOfPeriod"/>: the whole days from
    /// them, the rest of the start's day from the orders), else from the orders.
    /// </summary>
    protected virtual IQueryable<PeriodAggregateRow> PeriodSums(int storeId, DateTime? fromUtc)
    {
        if (!PurchaseFiguresAreCurrent())
        {
            return GetPurchases(storeId, fromUtc)
                .GroupBy(o => o.CustomerId)
                .Select(g => new PeriodAggregateRow { CustomerId = g.Key, OrderCount = g.Count(), TotalSpent = g.Sum(o => o.OrderTotal) });
        }

        var days = _dailyPurchasesRepository.Table;
        if (storeId > 0)
            days = days.Where(d => d.StoreId == storeId);

        var parts = SegmentQueries.PurchasesOfPeriod(GetPurchases(storeId), days, fromUtc, null,
            o => new PeriodAggregateRow { CustomerId = o.CustomerId, OrderCount = 1, TotalSpent = o.OrderTotal },
            d => new PeriodAggregateRow { CustomerId = d.CustomerId, OrderCount = d.OrderCount, TotalSpent = d.TotalSpent });

        return parts
            .GroupBy(p => p.CustomerId)
            .Select(g => new PeriodAggregateRow { CustomerId = g.Key, OrderCount = g.Sum(p => p.OrderCount), TotalSpent = g.Sum(p => p.TotalSpent) });
    }

    protected virtual Expression<Func<PeriodAggregateRow, bool>> PeriodTest(string field, string op, List<System.Text.Json.JsonElement> values) =>
        field == RuleFields.OrderCountInPeriod
            ? Number<PeriodAggregateRow>(a => a.OrderCount, op, values)
            : Number<PeriodAggregateRow>(a => a.TotalSpent, op, values);

    private static bool PassesWithoutPurchases(Expression<Func<PeriodAggregateRow, bool>> test) =>
        test.Compile(preferInterpretation: true)(new PeriodAggregateRow());

    /// <summary>
    /// average ⋚ x is compared as sum ⋚ x·count (for customers with purchases), exact on every engine
    /// </summary>
    protected virtual Expression<Func<CustomerOrderStatistics, bool>> AverageOrderValue(string op, List<System.Text.Json.JsonElement> values)
    {
        Expression<Func<CustomerOrderStatistics, bool>> hasPurchases = s => s.OrderCount > 0;
        if (op == IsNotEmpty)
            return hasPurchases;

        Expression<Func<CustomerOrderStatistics, decimal>> sum = s => s.TotalSpent;
        Expression<Func<CustomerOrderStatistics, bool>> compare(ExpressionType comparison, decimal average)
        {
            Expression<Func<CustomerOrderStatistics, decimal>> scaledCount = s => average * s.OrderCount;
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

    protected virtual Expression<Func<CustomerOrderStatistics, bool>> DaysSinceLastOrder(string op, List<System.Text.Json.JsonElement> values, DateTime nowUtc)
    {
        //at least n whole days since the last purchase: the last purchase on or before now - n days
        return AtLeastMeasure<CustomerOrderStatistics>(s => s.LastOrderOnUtc != null, days =>
        {
            var boundary = nowUtc.AddDays(-days);
            return s => s.LastOrderOnUtc != null && s.LastOrderOnUtc <= boundary;
        }, op, values);
    }

    /// <summary>
    /// Customers who bought one of the products, categories or manufacturers (by the field) in the store since a moment
    /// (null: ever); see <see cref="BuyerIds(string, List{int}, int, DateTime?)"/>
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> Buyers(string field, List<int> ids, int storeId, DateTime? fromUtc)
    {
        var buyers = BuyerIds(field, ids, storeId, fromUtc);
        return c => buyers.Contains(c.Id);
    }

    /// <summary>
    /// The ids of the customers who bought one of the products, categories or manufacturers (by the field) in the store
    /// since a moment (null: ever), once per product (and store) or more. From the products bought per customer when
    /// they are current (one range of an index per product); else from one join of the products' order items with
    /// their orders that count, so that the database reads the items of the products once and looks their orders up by
    /// key, where a correlated EXISTS per customer (order, then item) leads PostgreSQL to walk every customer's orders.
    /// Categories and manufacturers name their products from nopCommerce's mappings at query time either way.
    /// </summary>
    protected virtual IQueryable<int> BuyerIds(string field, List<int> ids, int storeId, DateTime? fromUtc) =>
        BoughtIds(field, ids, storeId, fromUtc).Select(bought => bought.CustomerId);

    /// <summary>
    /// Customers who bought each of the products, categories or manufacturers (by the field) in the store since a moment
    /// (null: ever): one grouped subquery counting the different ones each customer bought. A subquery per id, joined
    /// by the database, takes MariaDB's planner exponential time in the number of ids (minutes for ten categories).
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> BuyersOfAll(string field, List<int> ids, int storeId, DateTime? fromUtc)
    {
        var distinctIds = ids.Distinct().ToList();
        if (distinctIds.Count == 0)
            return Set(list => Buyers(field, list, storeId, fromUtc), AllOf, []);

        var count = distinctIds.Count;
        var buyers = BoughtIds(field, distinctIds, storeId, fromUtc)
            .Distinct()
            .GroupBy(bought => bought.CustomerId)
            .Where(group => group.Count() == count)
            .Select(group => group.Key);

        return c => buyers.Contains(c.Id);
    }

    /// <summary>
    /// The products, categories or manufacturers among the ids (by the field) each customer bought in the store since a
    /// moment (null: ever), once per purchase or more (see <see cref="BuyerIds(string, List{int}, int, DateTime?)"/>)
    /// </summary>
    protected virtual IQueryable<BoughtId> BoughtIds(string field, List<int> ids, int storeId, DateTime? fromUtc) =>
        BoughtRows(field, ids, storeId, fromUtc).Select(row => new BoughtId { CustomerId = row.CustomerId, Id = row.Id });

    /// <summary>
    /// Customers who bought, for each of the conditions (purchases of any of some products, or of some categories, or of
    /// some manufacturers: one field), one of its ids in the store since its period's start: one subquery over the bought
    /// rows of all their ids, grouped by customer, with one test per condition on its group (the customer's rows
    /// include one of its ids bought since its start). A subquery per condition is a semi-join MariaDB flattens into the
    /// outer query and orders with the others: on MariaDB 10.11 ten ANDed categories took 5.9 s to plan (two tables
    /// each), 25 over 30 s; a grouped subquery is not flattened.
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> BuyersOfEach(string field, IList<RuleCondition> conditions, RuleQueryContext context)
    {
        var tests = conditions.Select(condition => (Ids: RuleValues.Ints(condition.Values ?? []), From: PeriodStart(condition, context.NowUtc))).ToList();
        var ids = tests.SelectMany(test => test.Ids).Distinct().OrderBy(id => id).ToList();
        //the rows of the earliest start on, when every condition has a period
        var from = tests.All(test => test.From.HasValue) ? tests.Min(test => test.From) : null;

        var boughtEach = All(tests.Select(test =>
        {
            var bought = RuleExpressions.OneOf<BoughtRow, int>(row => row.Id, test.Ids);
            if (test.From is { } start)
                bought = And(bought, row => row.BoughtOnUtc >= start);

            return HasRow(bought);
        }));
        //one Where with every test: with a Where per test linq2db took about 1 s to translate 50 conditions, 0.3 s so
        var buyers = BoughtRows(field, ids, context.StoreId, from).GroupBy(row => row.CustomerId).Where(boughtEach).Select(group => group.Key);
        return c => buyers.Contains(c.Id);
    }

    /// <summary>
    /// group => one of the group's rows passes the test, as an aggregate of the group (MAX(CASE WHEN test THEN 1 ELSE 0 END) = 1)
    /// </summary>
    private static Expression<Func<IGrouping<int, BoughtRow>, bool>> HasRow(Expression<Func<BoughtRow, bool>> test)
    {
        var group = Expression.Parameter(typeof(IGrouping<int, BoughtRow>), "group");
        var flag = Expression.Lambda<Func<BoughtRow, int>>(Expression.Condition(test.Body, Expression.Constant(1), Expression.Constant(0)), test.Parameters);
        var max = Expression.Call(typeof(Enumerable), nameof(Enumerable.Max), [typeof(BoughtRow)], group, flag);

        return Expression.Lambda<Func<IGrouping<int, BoughtRow>, bool>>(Expression.Equal(max, Expression.Constant(1)), group);
    }

    /// <summary>
    /// The products, categories or manufacturers among the ids (by the field) each customer bought in the store since a
    /// moment (null: ever), with when: the date of the order, or of the last purchase of the product from the products
    /// bought per customer when they are current (see <see cref="BoughtProducts"/>)
    /// </summary>
    protected virtual IQueryable<BoughtRow> BoughtRows(string field, List<int> ids, int storeId, DateTime? fromUtc)
    {
        var products = BoughtProducts(storeId, fromUtc);

        return field switch
        {
            RuleFields.BoughtProducts => products.Where(RuleExpressions.OneOf<BoughtRow, int>(p => p.Id, ids)),
            RuleFields.BoughtCategories =>
                from pc in _productCategoryRepository.Table.Where(RuleExpressions.OneOf<ProductCategory, int>(pc => pc.CategoryId, ids))
                join bought in products on pc.ProductId equals bought.Id
                select new BoughtRow { CustomerId = bought.CustomerId, Id = pc.CategoryId, BoughtOnUtc = bought.BoughtOnUtc },
            RuleFields.BoughtManufacturers =>
                from pm in _productManufacturerRepository.Table.Where(RuleExpressions.OneOf<ProductManufacturer, int>(pm => pm.ManufacturerId, ids))
                join bought in products on pm.ProductId equals bought.Id
                select new BoughtRow { CustomerId = bought.CustomerId, Id = pm.ManufacturerId, BoughtOnUtc = bought.BoughtOnUtc },
            _ => throw new ArgumentException($"'{field}' is no purchase of products", nameof(field))
        };
    }

    /// <summary>
    /// The products each customer bought in the store since a moment (null: ever): the rows of the products bought per
    /// customer when they are current, else the items of the orders that count
    /// </summary>
    protected virtual IQueryable<BoughtRow> BoughtProducts(int storeId, DateTime? fromUtc)
    {
        if (!PurchaseFiguresAreCurrent())
        {
            return from oi in _orderItemRepository.Table
                join o in GetPurchases(storeId, fromUtc) on oi.OrderId equals o.Id
                select new BoughtRow { CustomerId = o.CustomerId, Id = oi.ProductId, BoughtOnUtc = o.CreatedOnUtc };
        }

        var rows = _purchasedProductRepository.Table;
        if (storeId > 0)
            rows = rows.Where(r => r.StoreId == storeId);
        if (fromUtc is { } from)
            rows = rows.Where(r => r.LastPurchasedOnUtc >= from);

        return rows.Select(r => new BoughtRow { CustomerId = r.CustomerId, Id = r.ProductId, BoughtOnUtc = r.LastPurchasedOnUtc });
    }

    /// <summary>
    /// The items of a type of cart the segment's store shows: its own, or every store's when the store shares carts
    /// between stores
    /// </summary>
    protected virtual IQueryable<ShoppingCartItem> CartItems(ShoppingCartType type, RuleQueryContext context)
    {
        var typeId = (int)type;
        var storeId = context.StoreId;
        var items = _shoppingCartItemRepository.Table.Where(i => i.ShoppingCartTypeId == typeId);
        if (storeId > 0 && !context.CartsSharedBetweenStores)
            items = items.Where(i => i.StoreId == storeId);

        return items;
    }

    protected virtual Expression<Func<Customer, bool>> CartNotEmpty(ShoppingCartType type, RuleQueryContext context)
    {
        var items = CartItems(type, context);
        return c => items.Any(i => i.CustomerId == c.Id);
    }

    /// <summary>
    /// Cart items, none added or changed since <paramref name="sinceUtc"/>, and no order placed since then
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> AbandonedCart(RuleQueryContext context, DateTime sinceUtc)
    {
        var items = CartItems(ShoppingCartType.ShoppingCart, context);
        var recentOrders = GetOrders(context.StoreId, sinceUtc);

        return c => items.Any(i => i.CustomerId == c.Id)
            && !items.Any(i => i.CustomerId == c.Id && i.UpdatedOnUtc >= sinceUtc)
            && !recentOrders.Any(o => o.CustomerId == c.Id);
    }

    #endregion

    #region RFM

    /// <summary>
    /// RFM scores as the last full refresh of the order statistics ranked them (relative to all buying customers of
    /// the store in the RFM window, see CustomerOrderStatisticsService); customers without scores match no RFM test
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> Rfm(Expression<Func<CustomerOrderStatistics, bool>> predicate, int storeId)
    {
        var scored = _orderStatisticsRepository.Table.Where(s => s.StoreId == storeId).Where(And(Scored(), predicate));
        return c => scored.Any(s => s.CustomerId == c.Id);
    }

    /// <summary>
    /// Rows the last ranking scored (scores start at 1; 0 is not scored)
    /// </summary>
    protected static Expression<Func<CustomerOrderStatistics, bool>> Scored() => s => s.RecencyScore > 0;

    protected virtual Expression<Func<CustomerOrderStatistics, bool>> RfmGroup(string group)
    {
        Expression<Func<CustomerOrderStatistics, bool>> r(int k) => s => s.RecencyScore >= k;
        Expression<Func<CustomerOrderStatistics, bool>> f(int k) => s => s.FrequencyScore >= k;
        Expression<Func<CustomerOrderStatistics, bool>> m(int k) => s => s.MonetaryScore >= k;

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

    #endregion

    #region Engagement and segments

    protected virtual Expression<Func<Customer, bool>> NewsletterSubscribed(int storeId)
    {
        var subscriptions = _newsLetterSubscriptionRepository.Table.Where(s => s.Active && s.Email != null);
        if (storeId > 0)
            subscriptions = subscriptions.Where(s => s.StoreId == storeId);

        //as nopCommerce does: the columns compared as they are, the database's collation decides about capitals
        //(citext on PostgreSQL, case-insensitive collations on SQL Server and MySQL), so that the e-mail index serves;
        //both sides are known not to be null, so no null-equality branch is added
        return c => c.Email != null && c.Email != "" && subscriptions.Any(s => Sql.AsNotNull(s.Email) == Sql.AsNotNull(c.Email));
    }

    /// <summary>
    /// Exempt from tax as nopCommerce's tax service decides: by the customer's own flag or by one of his active roles
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> TaxExempt()
    {
        var exemptRoleIds = _customerRoleRepository.Table.Where(r => r.Active && r.TaxExempt).Select(r => r.Id);
        var mappings = _customerRoleMappingRepository.Table.Where(m => exemptRoleIds.Contains(m.CustomerRoleId));
        return c => c.IsTaxExempt || mappings.Any(m => m.CustomerId == c.Id);
    }

    protected virtual Expression<Func<Customer, bool>> CustomerRoles(List<int> roleIds)
    {
        var mappings = _customerRoleMappingRepository.Table.Where(RuleExpressions.OneOf<CustomerCustomerRoleMapping, int>(m => m.CustomerRoleId, roleIds));
        return c => mappings.Any(m => m.CustomerId == c.Id);
    }

    /// <summary>
    /// Customers in each of the roles: one grouped subquery counting the different roles of each customer among them.
    /// A subquery per role takes PostgreSQL's planner minutes for a few hundred roles.
    /// </summary>
    protected virtual Expression<Func<Customer, bool>> CustomerRolesOfAll(List<int> roleIds)
    {
        var distinctIds = roleIds.Distinct().ToList();
        if (distinctIds.Count == 0)
            return Set(CustomerRoles, AllOf, []);

        var count = distinctIds.Count;
        var holders = _customerRoleMappingRepository.Table
            .Where(RuleExpressions.OneOf<CustomerCustomerRoleMapping, int>(m => m.CustomerRoleId, distinctIds))
            .Select(m => new { m.CustomerId, m.CustomerRoleId })
            .Distinct()
            .GroupBy(m => m.CustomerId)
            .Where(group => group.Count() == count)
            .Select(group => group.Key);

        return c => holders.Contains(c.Id);
    }

    /// <summary>
    /// The ids of the customers in one of the roles, once per role
    /// </summary>
    protected virtual IQueryable<int> RoleMemberIds(List<int> roleIds) =>
        _customerRoleMappingRepository.Table.Where(RuleExpressions.OneOf<CustomerCustomerRoleMapping, int>(m => m.CustomerRoleId, roleIds)).Select(m => m.CustomerId);

    protected virtual Expression<Func<Customer, bool>> SegmentMember(List<int> segmentIds)
    {
        //a segment switched off has no members here, as for discounts and the customer's segments
        var activeSegmentIds = _segmentRepository.Table.Where(segment => segment.Active).Select(segment => segment.Id);
        var memberships = _segmentMembershipRepository.Table.Current()
            .Where(RuleExpressions.OneOf<SegmentMembership, int>(m => m.SegmentId, segmentIds))
            .Where(m => activeSegmentIds.Contains(m.SegmentId));
        return c => memberships.Any(m => m.CustomerId == c.Id);
    }

    #endregion
}

/// <summary>
/// What a rule query is built for: the segment's store, the moment relative dates count from, and whether that store
/// shares carts between stores
/// </summary>
public record RuleQueryContext(int StoreId, DateTime NowUtc, bool CartsSharedBetweenStores = false);

/// <summary>
/// A product, category or manufacturer a customer bought
/// </summary>
public class BoughtId
{
    public int CustomerId { get; set; }

    public int Id { get; set; }
}

/// <summary>
/// A product, category or manufacturer a customer bought, and when (the order's date, or the product's last purchase)
/// </summary>
public class BoughtRow
{
    public int CustomerId { get; set; }

    public int Id { get; set; }

    public DateTime BoughtOnUtc { get; set; }
}

/// <summary>
/// A customer's purchases of a period summed up
/// </summary>
public class PeriodAggregateRow
{
    public int CustomerId { get; set; }

    public int OrderCount { get; set; }

    public decimal TotalSpent { get; set; }
}

/// <summary>
/// What is known in memory of one customer's orders: his statistics rows (one per store with orders and one for all
/// stores), his purchases in some periods and his products bought among some named (null when none was read)
/// </summary>
public record CustomerOrderFigures(IReadOnlyCollection<CustomerOrderStatistics> Statistics, CustomerPeriodPurchases PurchasesOfPeriods = null,
    CustomerNamedPurchases NamedPurchases = null);
