using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Localization;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Stores;
using LinqToDB;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Services.Events;
using Nop.Services.Localization;
using Nop.Services.Logging;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The membership services over a real database, with the real rule engine (field catalog, serializer,
/// validator, query builder); tables emptied before each test
/// </summary>
public abstract class MembershipTestBase : DatabaseTestBase
{
    private static readonly Type[] _tables =
    [
        typeof(SegmentMembership), typeof(Segment), typeof(SegmentLease), typeof(Customer), typeof(Order), typeof(Address),
        typeof(CustomerAddressMapping), typeof(NewsLetterSubscription), typeof(ShoppingCartItem), typeof(GenericAttribute),
        typeof(CustomerCustomerRoleMapping), typeof(CustomerRole), typeof(OrderItem), typeof(ProductCategory), typeof(CustomerOrderStatistics),
        typeof(LocalizedProperty), typeof(SegmentPendingCustomer), typeof(ProductManufacturer), typeof(CustomerDailyPurchases),
        typeof(CustomerPurchasedProduct), typeof(SegmentRebuildRun)
    ];

    protected MembershipTestBase(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// The common tables, and those of the other rows rules name (the validator reads them)
    /// </summary>
    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();
        TestKit.Schema.NopSchema.CreateTables(Database, typeof(Nop.Core.Domain.Affiliates.Affiliate), typeof(Nop.Core.Domain.Vendors.Vendor));
    }

    protected RuleFieldCatalog Catalog { get; } = new();

    protected SegmentRuleSerializer Serializer { get; } = new();

    /// <summary>
    /// The turns of a customer's re-evaluations, one for the test's rebuild services as for a process
    /// </summary>
    protected CustomerReevaluationLock ReevaluationLock { get; } = new();

    /// <summary>
    /// The rule query builder the rebuild service uses, counting its builds
    /// </summary>
    protected ObservedRuleQueryBuilder Queries { get; private set; }

    protected SegmentRuleValidator Validator { get; private set; }

    protected Mock<ILogger> Logger { get; private set; }

    protected SegmentRuleAnalyzer Analyzer { get; private set; }

    protected SegmentService SegmentService { get; private set; }

    protected SegmentMembershipService MembershipService { get; private set; }

    /// <summary>
    /// The settings of the order statistics of <see cref="RebuildService"/>, <see cref="ReevaluationService"/> and the
    /// event consumers, shared as nopCommerce's container shares them
    /// </summary>
    protected CustomerSegmentsSettings StatisticsSettings { get; private set; }

    protected SegmentRebuildService RebuildService { get; private set; }

    /// <summary>
    /// "Rebuild now" over <see cref="RebuildService"/>, whose runs the event consumers start too
    /// </summary>
    protected SegmentRebuildRunService RebuildRuns { get; private set; }

    /// <summary>
    /// The re-evaluation after events, whose order statistics share their settings with <see cref="RebuildService"/>'s
    /// </summary>
    protected SegmentReevaluationService ReevaluationService { get; private set; }

    /// <summary>
    /// The queue of customers for the scheduled rebuild, re-evaluated with <see cref="ReevaluationService"/>
    /// </summary>
    protected SegmentPendingCustomerService PendingCustomers { get; private set; }

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

        Logger = new Mock<ILogger>();
        Analyzer = new SegmentRuleAnalyzer(Catalog);
        StaticCache = new Discounts.InMemoryStaticCacheManager();
        CacheInvalidator = new SegmentCacheInvalidator(StaticCache);
        SegmentService = new SegmentService(Repository<Segment>(), Repository<SegmentMembership>(), Repository<LocalizedProperty>(),
            CacheInvalidator, Serializer, Analyzer, new Lazy<ISegmentRuleValidator>(() => Validator));
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => key);
        Validator = new SegmentRuleValidator(Catalog, Serializer, SegmentService, localization.Object, LocaleResourceFormatters.Over(localization.Object), NewValueLookupService());
        await ResetStoresAsync();
        MembershipService = new SegmentMembershipService(Repository<Segment>(), Repository<SegmentMembership>());
        Queries = NewQueryBuilder();
        StatisticsSettings = new CustomerSegmentsSettings();
        RebuildService = NewRebuildService(Queries, settings: StatisticsSettings);
        RebuildRuns = NewRebuildRunService();
        ReevaluationService = NewReevaluationService(Queries, settings: StatisticsSettings);
        PendingCustomers = NewPendingCustomerService(ReevaluationService);
        StaticService = new StaticSegmentService(new EmailCsvParser(), DataProvider, Repository<Customer>(), Repository<SegmentMembership>(), CacheInvalidator, ReevaluationService);
    }

    /// <summary>
    /// The real query builder over the test database (or another connection to it), with the plugin's default settings
    /// </summary>
    protected ObservedRuleQueryBuilder NewQueryBuilder(CustomerSegmentsSettings settings = null, TestShop shop = null) =>
        new((shop ?? Shop).NewRuleQueryBuilder(settings));

    /// <summary>
    /// The rebuild service with the real rule engine; by default over the test's shop, with the plugin's transaction and
    /// statistics of settings of their own (give the query builder's settings to share them, as nopCommerce's container does)
    /// </summary>
    protected SegmentRebuildService NewRebuildService(ISegmentRuleQueryBuilder queries, ILogger logger = null, TestShop shop = null,
        ISegmentMembershipTransaction transaction = null, CustomerSegmentsSettings settings = null)
    {
        shop ??= Shop;
        return new(logger ?? Logger.Object, shop.DataProvider, shop.Repository<Segment>(), shop.Repository<SegmentMembership>(), CacheInvalidator,
            queries, Serializer, Validator, new SegmentRuleAnalyzer(Catalog), NewStatisticsService(settings, shop),
            transaction ?? new SegmentMembershipTransaction(shop.Repository<Segment>()), NewSynchronizer(shop));
    }

    /// <summary>
    /// The re-evaluation after events with the real rule engine, made as <see cref="NewRebuildService"/> makes the rebuild
    /// service (give both the same settings for their order statistics to be current together, as in nopCommerce)
    /// </summary>
    protected SegmentReevaluationService NewReevaluationService(ISegmentRuleQueryBuilder queries, ILogger logger = null, TestShop shop = null,
        ISegmentMembershipTransaction transaction = null, CustomerSegmentsSettings settings = null)
    {
        shop ??= Shop;
        return new(logger ?? Logger.Object, shop.DataProvider, shop.Repository<Segment>(), shop.Repository<SegmentMembership>(), CacheInvalidator,
            queries, Serializer, Validator, new SegmentRuleAnalyzer(Catalog), NewStatisticsService(settings, shop),
            transaction ?? new SegmentMembershipTransaction(shop.Repository<Segment>()), new ActiveSegmentReader(shop.Repository<Segment>(), StaticCache),
            ReevaluationLock);
    }

    /// <summary>
    /// The runner of "rebuild now" over the test's services, rebuilding with the service given (by default <see cref="RebuildService"/>)
    /// and working off the queue given (by default <see cref="PendingCustomers"/>)
    /// </summary>
    protected SegmentRebuildRunner NewRebuildRunner(ISegmentRebuildService rebuild = null, ISegmentPendingCustomerService pending = null) =>
        new(Logger.Object, Repository<SegmentRebuildRun>(), new SegmentLeaseService(Repository<SegmentLease>()),
            new SegmentPendingCustomerProcessor(Logger.Object, pending ?? PendingCustomers), rebuild ?? RebuildService, Validator, SegmentService);

    /// <summary>
    /// "Rebuild now" as nopCommerce's container gives it: each run in a scope of its own, with the runner given (by default
    /// one over the test's services), asking for the lease again every 50 ms
    /// </summary>
    protected SegmentRebuildRunService NewRebuildRunService(Func<ISegmentRebuildRunner> newRunner = null)
    {
        var services = new ServiceCollection();
        services.AddScoped(_ => newRunner?.Invoke() ?? NewRebuildRunner());

        return new SegmentRebuildRunService(Repository<SegmentRebuildRun>(), services.BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(),
            Validator, SegmentService, Analyzer)
        {
            RetryDelay = TimeSpan.FromMilliseconds(50)
        };
    }

    /// <summary>
    /// Reads (polling like the segment page) until what is read is done; the limit only keeps a broken run from
    /// hanging the suite
    /// </summary>
    protected static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var until = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until)
                return value;
            await Task.Delay(50);
        }
    }

    protected static bool Finished(SegmentRebuildRun run) =>
        run?.StateId is (int)SegmentRebuildRunState.Completed or (int)SegmentRebuildRunState.Failed;

    /// <summary>
    /// Waits until no run is queued or running
    /// </summary>
    protected Task WaitForRebuildRunsAsync() =>
        PollAsync(() => Repository<SegmentRebuildRun>().Table
                .AnyAsync(run => run.StateId == (int)SegmentRebuildRunState.Queued || run.StateId == (int)SegmentRebuildRunState.Running),
            busy => !busy);

    /// <summary>
    /// The orders re-evaluated in a request, where there is no request (a background thread): every event re-evaluates
    /// </summary>
    protected static IReevaluatedOrderTracker OutsideRequest => new ReevaluatedOrderTracker(new HttpContextAccessor());

    /// <summary>
    /// The plugin's event consumers over the test's services, as nopCommerce resolves them for one event
    /// </summary>
    protected OrderEventConsumer Orders => new(StatisticsSettings, Logger.Object, PendingCustomers, ReevaluationService, OutsideRequest);

    protected CustomerEventConsumer Customers => new(Logger.Object, PendingCustomers, ReevaluationService, RebuildRuns);

    protected EngagementEventConsumer Engagement => new(Logger.Object, PendingCustomers, ReevaluationService, RebuildRuns, Repository<Customer>());

    /// <summary>
    /// Hands an event to a consumer, as nopCommerce's event publisher does
    /// </summary>
    protected static Task PublishAsync<T>(IConsumer<T> consumer, T eventMessage) => consumer.HandleEventAsync(eventMessage);

    /// <summary>
    /// Publishes as nopCommerce's publisher does: to each consumer that consumes the event's type, to none when none does
    /// </summary>
    protected static async Task PublishToConsumersAsync<T>(T eventMessage, params object[] consumers)
    {
        foreach (var consumer in consumers.OfType<IConsumer<T>>())
            await consumer.HandleEventAsync(eventMessage);
    }

    /// <summary>
    /// The queue of customers for the scheduled rebuild over the test's shop, re-evaluated by the service given
    /// </summary>
    protected SegmentPendingCustomerService NewPendingCustomerService(ISegmentReevaluationService reevaluation) =>
        new(Logger.Object, Repository<SegmentPendingCustomer>(), reevaluation);

    /// <summary>
    /// The full rebuild's in-memory comparison and writes over the shop (by default the test's)
    /// </summary>
    protected SegmentMembershipSynchronizer NewSynchronizer(TestShop shop = null)
    {
        shop ??= Shop;
        return new(shop.DataProvider, shop.Repository<Customer>(), shop.Repository<SegmentMembership>());
    }

    /// <summary>
    /// The order statistics service over the test database (nopCommerce's setting service is a stand-in)
    /// </summary>
    protected CustomerOrderStatisticsService NewStatisticsService(CustomerSegmentsSettings settings = null, TestShop shop = null)
    {
        return (shop ?? Shop).NewOrderStatisticsService(settings ?? new CustomerSegmentsSettings(), new Mock<Nop.Services.Configuration.ISettingService>().Object);
    }

    private Task TruncateAsync<T>() where T : Nop.Core.BaseEntity => Repository<T>().DeleteAsync(_ => true);

    /// <summary>
    /// The value pickers' lookups over the test database
    /// </summary>
    protected SegmentValueLookupService NewValueLookupService() =>
        new(Repository<Category>(), Repository<Nop.Core.Domain.Directory.Country>(), Repository<CustomerAttributeValue>(), Repository<CustomerRole>(),
            Repository<Manufacturer>(), Repository<Product>(), Repository<Segment>(), Repository<Nop.Core.Domain.Directory.StateProvince>(),
            Repository<Store>(), Repository<Nop.Core.Domain.Vendors.Vendor>(), Repository<Nop.Core.Domain.Affiliates.Affiliate>(), Repository<Nop.Core.Domain.Common.Address>(),
            Repository<Nop.Core.Domain.Customers.CustomerAttribute>());

    /// <summary>
    /// The shop's stores 1 to <see cref="StoreCount"/>, none deleted, for the rules that name them
    /// </summary>
    protected async Task ResetStoresAsync()
    {
        await Repository<Store>().Table.Where(store => store.Deleted).Set(store => store.Deleted, false).UpdateAsync();
        for (var count = await Repository<Store>().Table.CountAsync(); count < StoreCount; count++)
            await Repository<Store>().InsertAsync(new Store { Name = $"Store {count + 1}", Url = $"http://store{count + 1}/", Hosts = $"store{count + 1}" }, false);
    }

    protected const int StoreCount = 3;

    /// <summary>
    /// Rows 1 to <paramref name="count"/> of a table the tests do not empty (products, categories, countries), for the
    /// rules that name them by number
    /// </summary>
    protected async Task RowsUpToAsync<TEntity>(int count, Func<int, TEntity> create) where TEntity : Nop.Core.BaseEntity
    {
        for (var existing = await Repository<TEntity>().Table.CountAsync(); existing < count; existing++)
            await Repository<TEntity>().InsertAsync(create(existing + 1), false);
    }

    /// <summary>
    /// The rows <see cref="Rules.RandomRules"/> names by number: products 1-8, categories 1-4, countries 1-3 ...
    /// </summary>
    protected async Task RandomRuleRowsAsync()
    {
        await RowsUpToAsync(8, id => new Product { Name = $"Product {id}", Published = true });
        await RowsUpToAsync(4, id => new Category { Name = $"Category {id}", Published = true });
        await RowsUpToAsync(3, id => new Manufacturer { Name = $"Manufacturer {id}", Published = true });
        await RowsUpToAsync(3, id => new Nop.Core.Domain.Directory.Country { Name = $"Country {id}", TwoLetterIsoCode = $"C{id}", ThreeLetterIsoCode = $"CC{id}", Published = true });
        await RowsUpToAsync(4, id => new Nop.Core.Domain.Directory.StateProvince { CountryId = 1, Name = $"State {id}", Published = true });
        await RowsUpToAsync(2, id => new Nop.Core.Domain.Affiliates.Affiliate { Active = true });
        await RowsUpToAsync(1, id => new Nop.Core.Domain.Vendors.Vendor { Name = $"Vendor {id}", Active = true });
        await RowsUpToAsync(Rules.RandomShop.SelectAttributeValueIds.Max(),
            id => new CustomerAttributeValue { AttributeId = Rules.RandomShop.SelectAttributeId, Name = $"Value {id}" });
    }

    /// <summary>
    /// One of nopCommerce's system roles (Guests, Registered...), saved
    /// </summary>
    protected async Task<CustomerRole> SystemRoleAsync(string systemName)
    {
        var role = new CustomerRole { Name = systemName, SystemName = systemName, Active = true };
        await Repository<CustomerRole>().InsertAsync(role, false);
        return role;
    }

    /// <summary>
    /// A product, saved, for the rules that name it (a rule is saved only with ids of rows)
    /// </summary>
    protected async Task<Product> ProductAsync(string name, bool deleted = false)
    {
        var product = new Product { Name = name, Published = !deleted, Deleted = deleted };
        await Repository<Product>().InsertAsync(product, false);
        return product;
    }

    protected async Task<Category> CategoryAsync(string name)
    {
        var category = new Category { Name = name, Published = true };
        await Repository<Category>().InsertAsync(category, false);
        return category;
    }

    protected async Task<Nop.Core.Domain.Directory.Country> CountryAsync(string twoLetterIsoCode)
    {
        var country = new Nop.Core.Domain.Directory.Country { Name = twoLetterIsoCode, TwoLetterIsoCode = twoLetterIsoCode, ThreeLetterIsoCode = twoLetterIsoCode + "X", Published = true };
        await Repository<Nop.Core.Domain.Directory.Country>().InsertAsync(country, false);
        return country;
    }

    /// <summary>
    /// A customer given the role, saved (the role's mapping without an event)
    /// </summary>
    protected async Task<Customer> CustomerInRoleAsync(CustomerRole role, string email, string company = null)
    {
        var customer = await CustomerAsync(email, company);
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id }, false);
        return customer;
    }

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

    /// <summary>
    /// A complete order (paid by default: a purchase)
    /// </summary>
    protected async Task<Order> OrderAsync(int customerId, PaymentStatus paymentStatus = PaymentStatus.Paid, decimal total = 10, bool publishEvent = true)
    {
        var order = NewOrder(customerId, paymentStatus, total);
        await Repository<Order>().InsertAsync(order, publishEvent);
        return order;
    }

    /// <summary>
    /// A complete order, not inserted yet
    /// </summary>
    protected static Order NewOrder(int customerId, PaymentStatus paymentStatus = PaymentStatus.Paid, decimal total = 10) =>
        new()
        {
            OrderGuid = Guid.NewGuid(),
            CustomerId = customerId,
            StoreId = 1,
            OrderTotal = total,
            PaymentStatusId = (int)paymentStatus,
            OrderStatusId = 30,
            ShippingStatusId = 10,
            CreatedOnUtc = DateTime.UtcNow,
            CustomOrderNumber = Guid.NewGuid().ToString("N")[..10],
            CustomerCurrencyCode = "USD",
            CurrencyRate = 1
        };

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
