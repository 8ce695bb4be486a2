using System.ComponentModel;
using System.Diagnostics;
using System.Linq.Expressions;
using Nop.Core.Caching;
using Nop.Core.Configuration;
using Nop.Core.Domain.Configuration;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Localization;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// (4) The discount requirement "customer is in segment(s)" through the plugin's SegmentRequirementChecker
/// (what CustomerSegmentsPlugin.CheckRequirementAsync calls) with its real dependencies over the bench database:
/// CustomerSegmentIdsReader, SegmentMembershipService, SegmentService, SegmentRequirementStore. nopCommerce's
/// services it calls are small working stand-ins: an in-memory static cache, a per-request cache per request,
/// settings from memory (nopCommerce serves settings from its static cache) and a customer service that reads
/// role mappings as nopCommerce 4.90 does (mappings per request from the database, roles from the static cache)
/// </summary>
public class RequirementBench
{
    public const int RequirementId = 1;

    private readonly EngineBench _engine;
    private readonly BenchSettingService _settings = new();
    private readonly SegmentMembershipService _membershipService;
    private readonly ActiveSegmentReader _activeSegments;
    private readonly SegmentRequirementStore _store;

    public RequirementBench(EngineBench engine)
    {
        _engine = engine;
        _membershipService = new SegmentMembershipService(engine.Shop.Repository<Segment>(), engine.Shop.Repository<SegmentMembership>());
        _activeSegments = new ActiveSegmentReader(engine.Shop.Repository<Segment>(), engine.StaticCache);
        _store = new SegmentRequirementStore(_settings);
    }

    public SegmentRequirement Requirement { get; private set; }

    /// <summary>
    /// One storefront request: a new per-request cache over the shared static cache
    /// </summary>
    private ISegmentRequirementChecker NewRequest()
    {
        var shortTerm = new InMemoryShortTermCacheManager();
        var reader = new CustomerSegmentIdsReader(_membershipService, shortTerm, _engine.StaticCache);
        var customers = new BenchCustomerService(_engine.Shop.Repository<CustomerRole>(), _engine.Shop.Repository<CustomerCustomerRoleMapping>(),
            shortTerm, _engine.StaticCache);
        return new SegmentRequirementChecker(new CustomerSegmentsSettings(), reader, customers, new Moq.Mock<Nop.Services.Logging.ILogger>().Object, _store, _activeSegments, shortTerm);
    }

    public async Task<RequirementResult> RunAsync(IList<Segment> segments, int warmChecks, int coldChecks, Action<string> log)
    {
        //include VIP or Frequent buyers, exclude At risk (RFM)
        Requirement = new SegmentRequirement
        {
            IncludeSegmentIds = [segments[0].Id, segments[6].Id],
            ExcludeSegmentIds = [segments[1].Id]
        };
        await _store.SaveAsync(RequirementId, Requirement);

        //registered customers: half members of an included segment, half not (the check's two usual answers)
        var memberIds = await _engine.Shop.Repository<SegmentMembership>().Table
            .Where(m => Requirement.IncludeSegmentIds.Contains(m.SegmentId) && m.LeftOnUtc == null)
            .Select(m => m.CustomerId).Distinct().OrderBy(id => id).Take(500).ToListAsync();
        var otherIds = await (from mapping in _engine.Shop.Repository<CustomerCustomerRoleMapping>().Table
            where mapping.CustomerRoleId == ShopModel.RegisteredRoleId && !memberIds.Contains(mapping.CustomerId)
            orderby mapping.CustomerId
            select mapping.CustomerId).Take(1000 - memberIds.Count).ToListAsync();
        var customers = await _engine.Shop.Repository<Customer>().GetByIdsAsync(memberIds.Concat(otherIds).ToList());

        var result = new RequirementResult { Customers = customers.Count, Members = memberIds.Count };

        //warm, one request: the per-request cache and the static cache filled (a catalog page checks the same requirement for many products)
        await _engine.StaticCache.ClearAsync();
        var request = NewRequest();
        var valid = 0;
        foreach (var customer in customers)
            valid += await CheckAsync(request, customer) ? 1 : 0;
        result.Valid = valid;
        result.WarmInRequest = await TimeChecksAsync(warmChecks, customers, _ => request);
        log($"  requirement warm (one request): p50 {Measure.Us(result.WarmInRequest.P50)} p99 {Measure.Us(result.WarmInRequest.P99)}");

        //warm static cache, a new request per check
        result.WarmNewRequest = await TimeChecksAsync(Math.Min(warmChecks, 10_000), customers, _ => NewRequest());
        log($"  requirement warm (new request): p50 {Measure.Us(result.WarmNewRequest.P50)} p99 {Measure.Us(result.WarmNewRequest.P99)}");

        //cold: nopCommerce's static cache cleared and a new request before each check
        result.Cold = await TimeChecksAsync(coldChecks, customers, _ =>
        {
            _engine.StaticCache.ClearAsync().GetAwaiter().GetResult();
            return NewRequest();
        });
        log($"  requirement cold: p50 {Measure.Us(result.Cold.P50)} p99 {Measure.Us(result.Cold.P99)}");

        return result;
    }

    private static async Task<bool> CheckAsync(ISegmentRequirementChecker checker, Customer customer) =>
        (await checker.CheckAsync(new DiscountRequirementValidationRequest { DiscountRequirementId = RequirementId, Customer = customer })).IsValid;

    /// <summary>
    /// One Stopwatch per check (Stopwatch ticks are nanoseconds here); the preparation of each check is not timed
    /// </summary>
    private static async Task<Percentiles> TimeChecksAsync(int checks, IList<Customer> customers, Func<int, ISegmentRequirementChecker> prepare)
    {
        //warm-up
        for (var i = 0; i < Math.Min(checks, 1000); i++)
            await CheckAsync(prepare(i), customers[i % customers.Count]);

        var times = new double[checks];
        var gen0 = GC.CollectionCount(0);
        for (var i = 0; i < checks; i++)
        {
            var checker = prepare(i);
            var customer = customers[i % customers.Count];
            var start = Stopwatch.GetTimestamp();
            await CheckAsync(checker, customer);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        gen0 = GC.CollectionCount(0) - gen0;
        var mean = times.Average();
        Array.Sort(times);
        return new Percentiles(checks, Measure.Percentile(times, 50), Measure.Percentile(times, 99), times[^1], mean, gen0);
    }
}

public record Percentiles(int Count, double P50, double P99, double Max, double Mean, int Gen0Collections);

public class RequirementResult
{
    public int Customers { get; set; }
    public int Members { get; set; }
    public int Valid { get; set; }
    public Percentiles WarmInRequest { get; set; }
    public Percentiles WarmNewRequest { get; set; }
    public Percentiles Cold { get; set; }
}

/// <summary>
/// nopCommerce's settings as its SettingService serves them once loaded into the static cache: by key from memory
/// </summary>
public class BenchSettingService : ISettingService
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public Task<T> GetSettingByKeyAsync<T>(string key, T defaultValue = default, int storeId = 0, bool loadSharedValueIfNotFound = false) =>
        Task.FromResult(_values.TryGetValue(key.Trim(), out var value)
            ? (T)TypeDescriptor.GetConverter(typeof(T)).ConvertFromInvariantString(value)
            : defaultValue);

    public Task SetSettingAsync<T>(string key, T value, int storeId = 0, bool clearCache = true)
    {
        _values[key.Trim()] = TypeDescriptor.GetConverter(typeof(T)).ConvertToInvariantString(value);
        return Task.CompletedTask;
    }

    public Task<Setting> GetSettingAsync(string key, int storeId = 0, bool loadSharedValueIfNotFound = false) =>
        Task.FromResult(_values.TryGetValue(key.Trim(), out var value) ? new Setting { Name = key, Value = value, StoreId = storeId } : null);

    public Task DeleteSettingAsync(Setting setting)
    {
        _values.Remove(setting.Name);
        return Task.CompletedTask;
    }

    public Task<T> LoadSettingAsync<T>(int storeId = 0) where T : ISettings, new() => Task.FromResult(new T());

    public Task SaveSettingAsync<T>(T settings, int storeId = 0) where T : ISettings, new() => throw new NotSupportedException();

    public Task SaveSettingAsync<T, TPropType>(T settings, Expression<Func<T, TPropType>> keySelector, int storeId = 0, bool clearCache = true)
        where T : ISettings, new() => throw new NotSupportedException();

    public Task DeleteSettingAsync<T>() where T : ISettings, new() => throw new NotSupportedException();
}

/// <summary>
/// The role checks of nopCommerce 4.90's CustomerService: all roles from the static cache, the customer's role
/// mappings from the database once per request (per-request cache)
/// </summary>
public class BenchCustomerService : ICustomerService
{
    private static readonly CacheKey AllRolesKey = new("Nop.bench.customerrole.all");
    private static readonly CacheKey CustomerRolesKey = new("Nop.bench.customer.customerroles.{0}");

    private readonly IRepository<CustomerRole> _roles;
    private readonly IRepository<CustomerCustomerRoleMapping> _mappings;
    private readonly IShortTermCacheManager _shortTermCache;
    private readonly IStaticCacheManager _staticCache;

    public BenchCustomerService(IRepository<CustomerRole> roles, IRepository<CustomerCustomerRoleMapping> mappings,
        IShortTermCacheManager shortTermCache, IStaticCacheManager staticCache)
    {
        _roles = roles;
        _mappings = mappings;
        _shortTermCache = shortTermCache;
        _staticCache = staticCache;
    }

    private async Task<bool> IsInRoleAsync(Customer customer, string systemName, bool onlyActive)
    {
        var roles = await _staticCache.GetAsync(_staticCache.PrepareKeyForDefaultCache(AllRolesKey),
            async () => (await _roles.Table.ToListAsync()).ToDictionary(role => role.Id));
        var mappings = await _shortTermCache.GetAsync(
            async () => await _mappings.Table.Where(mapping => mapping.CustomerId == customer.Id).ToListAsync(), CustomerRolesKey, customer.Id);

        return mappings.Any(mapping => roles.TryGetValue(mapping.CustomerRoleId, out var role) && (!onlyActive || role.Active) && role.SystemName == systemName);
    }

    public Task<bool> IsRegisteredAsync(Customer customer, bool onlyActiveCustomerRoles = true) =>
        IsInRoleAsync(customer, NopCustomerDefaults.RegisteredRoleName, onlyActiveCustomerRoles);

    public Task<bool> IsGuestAsync(Customer customer, bool onlyActiveCustomerRoles = true) =>
        IsInRoleAsync(customer, NopCustomerDefaults.GuestsRoleName, onlyActiveCustomerRoles);

    public Task<IList<Customer>> GetCustomersByIdsAsync(int[] customerIds) => throw new NotSupportedException("not called by the requirement check");
}
