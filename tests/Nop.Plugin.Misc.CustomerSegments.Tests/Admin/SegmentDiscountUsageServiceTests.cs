using Nop.Core.Domain.Configuration;
using Nop.Core.Domain.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

public class SegmentDiscountUsageServiceTests : DatabaseTestBase
{
    public SegmentDiscountUsageServiceTests(DatabaseEngine engine) : base(engine)
    {
    }

    private async Task<int> RequirementAsync(string discountName, string systemName, SegmentRequirement segments, bool isGroup = false)
    {
        var discount = new Discount { Name = discountName, DiscountTypeId = (int)DiscountType.AssignedToOrderTotal, IsActive = true };
        await Repository<Discount>().InsertAsync(discount);
        var requirement = new DiscountRequirement { DiscountId = discount.Id, DiscountRequirementRuleSystemName = systemName, IsGroup = isGroup };
        await Repository<DiscountRequirement>().InsertAsync(requirement);
        if (segments != null)
        {
            //nopCommerce saves setting names in lower case
            await Repository<Setting>().InsertAsync(new Setting
            {
                Name = string.Format(CustomerSegmentsDefaults.DiscountRequirementSettingsKey, requirement.Id).ToLowerInvariant(),
                Value = segments.ToJson()
            });
        }

        return requirement.Id;
    }

    [Test]
    public async Task FindsTheDiscountsWhoseRequirementNamesTheSegment()
    {
        var single = await RequirementAsync("Win back", CustomerSegmentsDefaults.SystemName, new SegmentRequirement { IncludeSegmentIds = [12] });
        var several = await RequirementAsync("Autumn", CustomerSegmentsDefaults.SystemName, new SegmentRequirement { IncludeSegmentIds = [3], ExcludeSegmentIds = [12] });
        await RequirementAsync("Other segment", CustomerSegmentsDefaults.SystemName, new SegmentRequirement { IncludeSegmentIds = [121] });
        await RequirementAsync("Not configured", CustomerSegmentsDefaults.SystemName, null);
        await RequirementAsync("Roles", "DiscountRequirement.MustBeAssignedToCustomerRole", new SegmentRequirement { IncludeSegmentIds = [12] });

        var service = new SegmentDiscountUsageService(Repository<Discount>(), Repository<DiscountRequirement>(), Repository<Setting>());

        var usages = await service.GetUsagesAsync(12);
        var none = await service.GetUsagesAsync(99);

        Assert.That(usages.Select(u => (u.DiscountName, u.RequirementId)), Is.EqualTo(new[] { ("Autumn", several), ("Win back", single) }));
        Assert.That(none, Is.Empty);
    }

    [Test]
    public async Task ARequirementGroupNamedLikeTheRuleIsNotListed()
    {
        //nopCommerce keeps the name the admin gives a group in DiscountRequirementRuleSystemName; the configuration is one
        //the form saved for the group before it refused groups
        await RequirementAsync("Grouped", CustomerSegmentsDefaults.SystemName, new SegmentRequirement { IncludeSegmentIds = [31] }, isGroup: true);
        var ours = await RequirementAsync("Beside the group", CustomerSegmentsDefaults.SystemName, new SegmentRequirement { IncludeSegmentIds = [31] });

        var usages = await new SegmentDiscountUsageService(Repository<Discount>(), Repository<DiscountRequirement>(), Repository<Setting>()).GetUsagesAsync(31);

        Assert.That(usages.Select(u => (u.DiscountName, u.RequirementId)), Is.EqualTo(new[] { ("Beside the group", ours) }));
    }

    [Test]
    public async Task TheRuleNameMatchesInAnyCaseAsNopCommerceLoadsTheRule()
    {
        var ours = await RequirementAsync("Lower case", CustomerSegmentsDefaults.SystemName.ToLowerInvariant(), new SegmentRequirement { IncludeSegmentIds = [32] });

        var usages = await new SegmentDiscountUsageService(Repository<Discount>(), Repository<DiscountRequirement>(), Repository<Setting>()).GetUsagesAsync(32);

        Assert.That(usages.Select(u => u.RequirementId), Is.EqualTo(new[] { ours }));
    }
}
