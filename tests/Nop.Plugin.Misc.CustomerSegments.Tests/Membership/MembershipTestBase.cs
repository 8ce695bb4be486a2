using Moq;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The membership services over a real database, with the test rule engine; tables emptied before each test
/// </summary>
public abstract class MembershipTestBase : DatabaseTestBase
{
    private static readonly Type[] _tables =
    [
        typeof(SegmentMembership), typeof(Segment), typeof(SegmentLease), typeof(Customer), typeof(Order), typeof(Address),
        typeof(CustomerAddressMapping), typeof(NewsLetterSubscription), typeof(ShoppingCartItem), typeof(GenericAttribute),
        typeof(CustomerCustomerRoleMapping)
    ];

    protected MembershipTestBase(DatabaseEngine engine) : base(engine)
    {
    }

    protected TestRuleEngine Rules { get; private set; }

    protected Mock<ILogger> Logger { get; private set; }

    protected SegmentRuleAnalyzer Analyzer { get; private set; }

    protected SegmentService SegmentService { get; private set; }

    protected SegmentMembershipService MembershipService { get; private set; }

    protected SegmentRebuildService RebuildService { get; private set; }

    protected StaticSegmentService StaticService { get; private set; }

    /// <summary>
    /// nopCommerce's static cache, shared by the requests of a test
    /// </summary>
    protected Discounts.InMemoryStaticCacheManager StaticCache { get; private set; }

    protected SegmentCacheInvalidator CacheInvalidator { get; private set; }

    [SetUp]
    public async Task ResetAsync()
    {
        foreach (var table in _tables)
        {
            var method = typeof(MembershipTestBase).GetMethod(nameof(TruncateAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
            await (Task)method.MakeGenericMethod(table).Invoke(this, null)!;
        }

        Rules = new TestRuleEngine(Shop);
        Logger = new Mock<ILogger>();
        Analyzer = new SegmentRuleAnalyzer(Rules);
        StaticCache = new Discounts.InMemoryStaticCacheManager();
        CacheInvalidator = new SegmentCacheInvalidator(StaticCache);
        SegmentService = new SegmentService(Repository<Segment>(), Repository<SegmentMembership>(), CacheInvalidator, Rules, new Lazy<ISegmentRuleValidator>(Rules));
        MembershipService = new SegmentMembershipService(Repository<Segment>(), Repository<SegmentMembership>());
        RebuildService = NewRebuildService(Rules);
        StaticService = new StaticSegmentService(new EmailCsvParser(), DataProvider, Repository<Customer>(), Repository<SegmentMembership>(), CacheInvalidator, RebuildService);
    }

    protected SegmentRebuildService NewRebuildService(TestRuleEngine rules) =>
        new(Logger.Object, DataProvider, Repository<Segment>(), Repository<SegmentMembership>(), CacheInvalidator, rules, rules, rules, new SegmentRuleAnalyzer(rules),
            new SegmentMembershipTransaction(Repository<Segment>()));

    private Task TruncateAsync<T>() where T : Nop.Core.BaseEntity => Repository<T>().DeleteAsync(_ => true);

    protected async Task<Customer> CustomerAsync(string email, string company = null, DateTime? createdOnUtc = null)
    {
        var customer = new Customer
        {
            CustomerGuid = Guid.NewGuid(),
            Email = email,
            Username = email,
            Company = company,
            Active = true,
            CreatedOnUtc = createdOnUtc ?? DateTime.UtcNow.AddDays(-1),
            LastActivityDateUtc = DateTime.UtcNow
        };
        await Repository<Customer>().InsertAsync(customer);
        return customer;
    }

    protected async Task<Order> OrderAsync(int customerId)
    {
        var order = new Order
        {
            OrderGuid = Guid.NewGuid(),
            CustomerId = customerId,
            StoreId = 1,
            OrderTotal = 10,
            PaymentStatusId = 30,
            OrderStatusId = 30,
            ShippingStatusId = 10,
            CreatedOnUtc = DateTime.UtcNow,
            CustomOrderNumber = Guid.NewGuid().ToString("N")[..10],
            CustomerCurrencyCode = "USD",
            CurrencyRate = 1
        };
        await Repository<Order>().InsertAsync(order);
        return order;
    }

    protected async Task<Segment> SegmentAsync(string name, string ruleJson, SegmentType type = SegmentType.Dynamic, bool active = true)
    {
        var segment = new Segment
        {
            Name = name,
            SegmentTypeId = (int)type,
            RuleJson = ruleJson,
            RuleSchemaVersion = 1,
            Active = active
        };
        await SegmentService.InsertSegmentAsync(segment);
        return segment;
    }

    protected async Task<int[]> CurrentMemberIdsAsync(int segmentId) =>
        (await Repository<SegmentMembership>().Table
            .Where(membership => membership.SegmentId == segmentId && membership.LeftOnUtc == null)
            .Select(membership => membership.CustomerId)
            .ToListAsync())
        .Order().ToArray();

    protected async Task<List<SegmentMembership>> RowsAsync(int segmentId) =>
        (await Repository<SegmentMembership>().Table.Where(membership => membership.SegmentId == segmentId).ToListAsync())
        .OrderBy(membership => membership.Id).ToList();
}
