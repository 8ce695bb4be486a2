using Moq;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Data;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

/// <summary>
/// The discount rule wired as nopCommerce wires it, over mocked nopCommerce services and plugin services:
/// settings in a dictionary, one static cache shared by all requests, a new per-request cache per <see cref="NewRequest"/>.
/// The segment table is <see cref="Segments"/>: each read of it gives copies, as a query gives new entities, so a change
/// shows only through what the plugin reads again (change segments with <see cref="UpdateSegmentAsync"/> and
/// <see cref="DeleteSegmentAsync"/>, which invalidate as <c>SegmentService</c> does)
/// </summary>
public class DiscountRuleHarness
{
    public CustomerSegmentsSettings Settings { get; } = new();

    public Dictionary<string, string> SavedSettings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<int, List<int>> Memberships { get; } = [];

    public List<Segment> Segments { get; } = [];

    public HashSet<int> RegisteredCustomerIds { get; } = [];

    public int MembershipReads { get; private set; }

    /// <summary>
    /// Queries of the segment table (<see cref="SegmentRepository"/>) and of <see cref="SegmentService"/>'s segments by id
    /// </summary>
    public int SegmentReads => SegmentTableReads + SegmentService.Invocations.Count(call => call.Method.Name == nameof(ISegmentService.GetSegmentsByIdsAsync));

    private int SegmentTableReads { get; set; }

    public Mock<IRepository<Segment>> SegmentRepository { get; } = new();

    public IActiveSegmentReader ActiveSegments { get; }

    public InMemoryStaticCacheManager StaticCache { get; } = new();

    public Mock<ISettingService> SettingService { get; }

    public Mock<ISegmentMembershipService> MembershipService { get; } = new();

    public Mock<ISegmentService> SegmentService { get; } = new();

    public Mock<ICustomerService> CustomerService { get; } = new();

    public Mock<Nop.Services.Logging.ILogger> Logger { get; } = new();

    public ISegmentRequirementStore Store { get; }

    public ISegmentCacheInvalidator Invalidator { get; }

    public DiscountRuleHarness()
    {
        SettingService = SavedSettingsMock.Over(SavedSettings);
        MembershipService.Setup(m => m.GetSegmentIdsOfCustomerAsync(It.IsAny<int>()))
            .ReturnsAsync((int customerId) =>
            {
                MembershipReads++;
                return Memberships.TryGetValue(customerId, out var ids) ? ids.ToList() : [];
            });

        SegmentService.Setup(s => s.GetSegmentsByIdsAsync(It.IsAny<IList<int>>()))
            .ReturnsAsync((IList<int> ids) => Segments.Where(segment => ids.Contains(segment.Id)).ToList());
        SegmentRepository.Setup(r => r.Table).Returns(() =>
        {
            SegmentTableReads++;
            return Segments.Select(Copy).ToList().AsQueryable();
        });
        SegmentService.Setup(s => s.GetAllSegmentsAsync(It.IsAny<bool>()))
            .ReturnsAsync((bool activeOnly) => Segments.Where(segment => !activeOnly || segment.Active).ToList());

        CustomerService.Setup(c => c.IsRegisteredAsync(It.IsAny<Customer>(), It.IsAny<bool>()))
            .ReturnsAsync((Customer customer, bool _) => RegisteredCustomerIds.Contains(customer.Id));
        CustomerService.Setup(c => c.IsGuestAsync(It.IsAny<Customer>(), It.IsAny<bool>()))
            .ReturnsAsync((Customer customer, bool _) => !RegisteredCustomerIds.Contains(customer.Id));

        Store = new SegmentRequirementStore(SettingService.Object);
        Invalidator = new SegmentCacheInvalidator(StaticCache);
        ActiveSegments = new ActiveSegmentReader(SegmentRepository.Object, StaticCache);
    }

    private static Segment Copy(Segment segment) =>
        (Segment)typeof(object).GetMethod("MemberwiseClone", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(segment, null);

    /// <summary>
    /// Changes a saved segment and invalidates as <c>SegmentService.UpdateSegmentAsync</c> does
    /// </summary>
    public async Task UpdateSegmentAsync(int id, Action<Segment> change)
    {
        change(Segments.Single(segment => segment.Id == id));
        await Invalidator.SegmentsChangedAsync();
        await Invalidator.AllMembershipsChangedAsync();
    }

    /// <summary>
    /// Deletes saved segments and invalidates as <c>SegmentService.DeleteSegmentAsync</c> does
    /// </summary>
    public async Task DeleteSegmentAsync(params int[] ids)
    {
        Segments.RemoveAll(segment => ids.Contains(segment.Id));
        await Invalidator.SegmentsChangedAsync();
        await Invalidator.AllMembershipsChangedAsync();
    }

    public Segment AddSegment(int id, string name, bool active = true, string shopperMessage = null, int storeId = 0)
    {
        var segment = new Segment { Id = id, Name = name, Active = active, ShopperMessage = shopperMessage, StoreId = storeId };
        Segments.Add(segment);

        return segment;
    }

    public Customer Registered(int id, params int[] segmentIds)
    {
        RegisteredCustomerIds.Add(id);
        Memberships[id] = segmentIds.ToList();

        return new Customer { Id = id, CustomerGuid = Guid.NewGuid() };
    }

    public Customer Guest(int id, params int[] segmentIds)
    {
        Memberships[id] = segmentIds.ToList();

        return new Customer { Id = id, CustomerGuid = Guid.NewGuid() };
    }

    public async Task<int> RequirementAsync(int requirementId, SegmentRequirement requirement)
    {
        await Store.SaveAsync(requirementId, requirement);

        return requirementId;
    }

    /// <summary>
    /// What one storefront request sees: a fresh per-request cache over the shared static cache
    /// </summary>
    public RequestScope NewRequest()
    {
        var shortTerm = new InMemoryShortTermCacheManager();
        var reader = new CustomerSegmentIdsReader(MembershipService.Object, shortTerm, StaticCache);
        var checker = new SegmentRequirementChecker(Settings, reader, CustomerService.Object, Logger.Object, Store, ActiveSegments, shortTerm);

        return new RequestScope(shortTerm, reader, checker);
    }

    public record RequestScope(InMemoryShortTermCacheManager ShortTermCache, ICustomerSegmentIdsReader Reader, ISegmentRequirementChecker Checker)
    {
        public async Task<bool> PassesAsync(int requirementId, Customer customer, Nop.Core.Domain.Stores.Store store = null) =>
            (await Checker.CheckAsync(new DiscountRequirementValidationRequest { DiscountRequirementId = requirementId, Customer = customer, Store = store })).IsValid;
    }
}
