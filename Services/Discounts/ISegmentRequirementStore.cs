namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// The saved configuration of the plugin's discount requirements, one setting per requirement
/// </summary>
public interface ISegmentRequirementStore
{
    Task<SegmentRequirement> GetAsync(int discountRequirementId);

    Task SaveAsync(int discountRequirementId, SegmentRequirement requirement);

    Task DeleteAsync(int discountRequirementId);
}
