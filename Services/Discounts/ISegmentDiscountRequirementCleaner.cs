namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Removes this rule's requirements from every discount, with their settings (on uninstall)
/// </summary>
public interface ISegmentDiscountRequirementCleaner
{
    /// <returns>How many requirements were removed</returns>
    Task<int> RemoveAllAsync();
}
