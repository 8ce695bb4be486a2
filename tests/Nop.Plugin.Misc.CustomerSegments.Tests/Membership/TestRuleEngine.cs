using System.Text.Json;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// A small stand-in for the rules engine (until the real one lands): a few fields, each a set-based query over
/// the real tables with the data sources it reads; groups are "all" of their conditions
/// </summary>
public class TestRuleEngine : ISegmentRuleSerializer, ISegmentRuleValidator, IRuleFieldCatalog, ISegmentRuleQueryBuilder
{
    public const string Company = "test.company";
    public const string OrderCount = "test.orderCount";
    public const string BillingCountry = "test.billingCountry";
    public const string Newsletter = "test.newsletter";
    public const string CartItems = "test.cartItems";
    public const string Attribute = "test.attribute";
    public const string Role = "test.role";
    public const string InSegment = "test.inSegment";
    public const string RegisteredDaysAgo = "test.registeredDaysAgo";

    private readonly TestShop _shop;
    private readonly List<RuleFieldDescriptor> _fields;

    public TestRuleEngine(TestShop shop)
    {
        _shop = shop;
        _fields =
        [
            Field(Company, RuleDataSources.Customer),
            Field(OrderCount, RuleDataSources.Orders),
            Field(BillingCountry, RuleDataSources.Addresses),
            Field(Newsletter, RuleDataSources.Newsletter),
            Field(CartItems, RuleDataSources.ShoppingCart),
            Field(Attribute, RuleDataSources.GenericAttributes),
            Field(Role, RuleDataSources.CustomerRoles),
            new RuleFieldDescriptor { Name = InSegment, Sources = RuleDataSources.OtherSegments, ValueSource = RuleValueSource.Segments },
            new RuleFieldDescriptor { Name = RegisteredDaysAgo, Sources = RuleDataSources.Customer | RuleDataSources.Clock, IsTimeDependent = true }
        ];
    }

    /// <summary>
    /// Called at the start of each query build (e.g. to hold a rebuild open in concurrency tests)
    /// </summary>
    public Func<Task> OnBuild { get; set; }

    public int BuildCount;

    private static RuleFieldDescriptor Field(string name, RuleDataSources sources) => new() { Name = name, Sources = sources };

    public static string Json(params (string Field, object Value)[] conditions) =>
        Json(conditions.Select(c => (c.Field, c.Value, (string)null)).ToArray());

    public static string Json(params (string Field, object Value, string Key)[] conditions)
    {
        var rule = new SegmentRule();
        foreach (var (field, value, key) in conditions)
            rule.Root.Children.Add(new RuleCondition { Field = field, Operator = "eq", Values = [JsonSerializer.SerializeToElement(value)], Key = key });

        return JsonSerializer.Serialize(rule);
    }

    #region Serializer, validator, catalog

    public RuleParseResult Parse(string json)
    {
        try
        {
            var rule = JsonSerializer.Deserialize<SegmentRule>(json);
            return rule?.Root == null
                ? new RuleParseResult(null, [new RuleValidationError("", "Rule.Empty", "The rule is empty")])
                : new RuleParseResult(rule, []);
        }
        catch (JsonException exception)
        {
            return new RuleParseResult(null, [new RuleValidationError("", "Rule.Json", exception.Message)]);
        }
    }

    public string Serialize(SegmentRule rule) => JsonSerializer.Serialize(rule);

    public Task<IReadOnlyList<RuleValidationError>> ValidateAsync(SegmentRule rule, int segmentId)
    {
        var errors = rule.Root.Children.OfType<RuleCondition>()
            .Select((condition, index) => (condition, index))
            .Where(item => GetField(item.condition.Field) == null)
            .Select(item => new RuleValidationError(item.index.ToString(), "Rule.UnknownField", $"Unknown field '{item.condition.Field}'"))
            .ToList();

        return Task.FromResult<IReadOnlyList<RuleValidationError>>(errors);
    }

    public IReadOnlyList<RuleFieldDescriptor> GetFields() => _fields;

    public RuleFieldDescriptor GetField(string name) => _fields.FirstOrDefault(field => field.Name == name);

    #endregion

    #region Query builder

    private IRepository<T> Repository<T>() where T : Nop.Core.BaseEntity => _shop.Repository<T>();

    public async Task<IQueryable<int>> BuildMatchingCustomerIdsQueryAsync(SegmentRule rule, int storeId, DateTime nowUtc)
    {
        Interlocked.Increment(ref BuildCount);
        if (OnBuild != null)
            await OnBuild();

        var customers = Repository<Customer>().Table.Where(customer => !customer.Deleted && customer.Active && !customer.IsSystemAccount);
        foreach (var condition in rule.Root.Children.OfType<RuleCondition>())
            customers = Apply(customers, condition, nowUtc);

        return customers.Select(customer => customer.Id);
    }

    private IQueryable<Customer> Apply(IQueryable<Customer> customers, RuleCondition condition, DateTime nowUtc)
    {
        var value = condition.Values[0];
        switch (condition.Field)
        {
            case Company:
            {
                var company = value.GetString();
                return customers.Where(customer => customer.Company == company);
            }
            case OrderCount:
            {
                var count = value.GetInt32();
                var orders = Repository<Order>().Table.Where(order => !order.Deleted);
                return customers.Where(customer => orders.Count(order => order.CustomerId == customer.Id) >= count);
            }
            case BillingCountry:
            {
                var countryId = value.GetInt32();
                var addresses = Repository<Address>().Table;
                return customers.Where(customer => addresses.Any(address => address.Id == customer.BillingAddressId && address.CountryId == countryId));
            }
            case Newsletter:
            {
                var subscriptions = Repository<NewsLetterSubscription>().Table.Where(subscription => subscription.Active);
                return customers.Where(customer => subscriptions.Any(subscription => subscription.Email == customer.Email));
            }
            case CartItems:
            {
                var count = value.GetInt32();
                var items = Repository<ShoppingCartItem>().Table;
                return customers.Where(customer => items.Count(item => item.CustomerId == customer.Id) >= count);
            }
            case Attribute:
            {
                var key = condition.Key;
                var attributeValue = value.GetString();
                var attributes = Repository<GenericAttribute>().Table.Where(attribute => attribute.KeyGroup == nameof(Customer) && attribute.Key == key && attribute.Value == attributeValue);
                return customers.Where(customer => attributes.Any(attribute => attribute.EntityId == customer.Id));
            }
            case Role:
            {
                var roleId = value.GetInt32();
                var mappings = Repository<CustomerCustomerRoleMapping>().Table;
                return customers.Where(customer => mappings.Any(mapping => mapping.CustomerId == customer.Id && mapping.CustomerRoleId == roleId));
            }
            case InSegment:
            {
                var segmentId = value.GetInt32();
                var memberships = Repository<SegmentMembership>().Table.Where(membership => membership.SegmentId == segmentId && membership.LeftOnUtc == null);
                return customers.Where(customer => memberships.Any(membership => membership.CustomerId == customer.Id));
            }
            case RegisteredDaysAgo:
            {
                var before = nowUtc.AddDays(-value.GetInt32());
                return customers.Where(customer => customer.CreatedOnUtc <= before);
            }
            default:
                throw new InvalidOperationException($"Unknown field {condition.Field}");
        }
    }

    #endregion
}
