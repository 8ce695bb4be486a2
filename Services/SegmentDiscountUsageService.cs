using Nop.Core.Domain.Configuration;
using Nop.Core.Domain.Discounts;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Finds the discount requirements of this plugin's rule that name a segment, reading their settings in one query
/// </summary>
public class SegmentDiscountUsageService : ISegmentDiscountUsageService
{
    protected readonly IRepository<Discount> _discountRepository;
    protected readonly IRepository<DiscountRequirement> _discountRequirementRepository;
    protected readonly IRepository<Setting> _settingRepository;

    public SegmentDiscountUsageService(IRepository<Discount> discountRepository,
        IRepository<DiscountRequirement> discountRequirementRepository,
        IRepository<Setting> settingRepository)
    {
        _discountRepository = discountRepository;
        _discountRequirementRepository = discountRequirementRepository;
        _settingRepository = settingRepository;
    }

    protected class RequirementRow
    {
        public int RequirementId { get; init; }

        public int DiscountId { get; init; }

        public string DiscountName { get; init; }
    }

    protected class SettingRow
    {
        public string Name { get; init; }

        public string Value { get; init; }
    }

    /// <summary>
    /// The setting name as nopCommerce stores it (setting names are saved in lower case)
    /// </summary>
    protected static string SettingName(int requirementId) =>
        string.Format(CustomerSegmentsDefaults.DiscountRequirementSettingsKey, requirementId).Trim().ToLowerInvariant();

    public virtual async Task<IList<SegmentDiscountUsageModel>> GetUsagesAsync(int segmentId)
    {
        var requirements = await (
                from requirement in _discountRequirementRepository.Table.Where(SegmentRequirementRule.IsRuleRequirementQuery)
                join discount in _discountRepository.Table on requirement.DiscountId equals discount.Id
                select new RequirementRow { RequirementId = requirement.Id, DiscountId = discount.Id, DiscountName = discount.Name })
            .ToListAsync();
        if (requirements.Count == 0)
            return [];

        var names = requirements.Select(requirement => SettingName(requirement.RequirementId)).Distinct().ToArray();
        var settings = await _settingRepository.Table
            .Where(setting => names.Contains(setting.Name))
            .Select(setting => new SettingRow { Name = setting.Name, Value = setting.Value })
            .ToListAsync();

        var naming = settings
            .Where(setting => SegmentRequirement.Parse(setting.Value)?.AllSegmentIds.Contains(segmentId) == true)
            .Select(setting => setting.Name.ToLowerInvariant())
            .ToHashSet();

        return requirements
            .Where(requirement => naming.Contains(SettingName(requirement.RequirementId)))
            .OrderBy(requirement => requirement.DiscountName)
            .Select(requirement => new SegmentDiscountUsageModel(requirement.DiscountId, requirement.DiscountName, requirement.RequirementId))
            .ToList();
    }
}
