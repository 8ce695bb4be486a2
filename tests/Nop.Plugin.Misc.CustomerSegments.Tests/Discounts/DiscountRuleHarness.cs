using Moq;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

/// <summary>
/// The discount rule wired as nopCommerce wires it, over mocked nopCommerce services and plugin services:
/// settings in a dictionary, one static cache shared by all requests, a new per-request cache per <see cref="NewRequest"/>
/// </summary>
public class DiscountRuleHarness
{
    public CustomerSegmentsSettings Settings { get; } = new();

    public Dictionary<string, string> SavedSettings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<int, List<int>> Memberships { get; } = [];

    public List<Segment> Segments { get; } = [];

    public HashSet<int> RegisteredCustomerIds { get; } = [];

    public int MembershipReads { get; private set; }

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
        SegmentService.Setup(s => s.GetAllSegmentsAsync(It.IsAny<bool>()))
            .ReturnsAsync((bool activeOnly) => Segments.Where(segment => !activeOnly || segment.Active).ToList());

        CustomerService.Setup(c => c.IsRegisteredAsync(It.IsAny<Customer>(), It.IsAny<bool>()))
            .ReturnsAsync((Customer customer, bool _) => RegisteredCustomerIds.Contains(customer.Id));
        CustomerService.Setup(c => c.IsGuestAsync(It.IsAny<Customer>(), It.IsAny<bool>()))
            .ReturnsAsync((Customer customer, bool _) => !RegisteredCustomerIds.Contains(customer.Id));

        Store = new SegmentRequirementStore(SettingService.Object);
        Invalidator = new SegmentCacheInvalidator(StaticCache);
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
        var checker = new SegmentRequirementChecker(Settings, reader, CustomerService.Object, Logger.Object, Store, SegmentService.Object, shortTerm);

        return new RequestScope(shortTerm, reader, checker);
    }

    public record RequestScope(InMemoryShortTermCacheManager ShortTermCache, ICustomerSegmentIdsReader Reader, ISegmentRequirementChecker Checker)
    {
        public async Task<bool> PassesAsync(int requirementId, Customer customer, Nop.Core.Domain.Stores.Store store = null) =>
            (await Checker.CheckAsync(new DiscountRequirementValidationRequest { DiscountRequirementId = requirementId, Customer = customer, Store = store })).IsValid;
    }
}
