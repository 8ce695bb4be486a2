using Nop.Services.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Keeps each requirement's configuration as JSON in a nopCommerce setting keyed by the requirement id
/// </summary>
public class SegmentRequirementStore : ISegmentRequirementStore
{
    protected readonly ISettingService _settingService;

    public SegmentRequirementStore(ISettingService settingService)
    {
        _settingService = settingService;
    }

    public static string SettingKey(int discountRequirementId) =>
        string.Format(CustomerSegmentsDefaults.DiscountRequirementSettingsKey, discountRequirementId);

    public virtual async Task<SegmentRequirement> GetAsync(int discountRequirementId)
    {
        if (discountRequirementId <= 0)
            return null;

        return SegmentRequirement.Parse(await _settingService.GetSettingByKeyAsync<string>(SettingKey(discountRequirementId)));
    }

    public virtual Task SaveAsync(int discountRequirementId, SegmentRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(discountRequirementId);

        return _settingService.SetSettingAsync(SettingKey(discountRequirementId), requirement.ToJson());
    }

    public virtual async Task DeleteAsync(int discountRequirementId)
    {
        var setting = await _settingService.GetSettingAsync(SettingKey(discountRequirementId));
        if (setting is not null)
            await _settingService.DeleteSettingAsync(setting);
    }
}
