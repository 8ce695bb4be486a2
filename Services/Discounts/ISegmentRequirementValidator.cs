namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Checks a requirement configuration an admin submitted
/// </summary>
public interface ISegmentRequirementValidator
{
    /// <summary>
    /// Localized errors; empty when the configuration can be saved
    /// </summary>
    Task<IList<string>> ValidateAsync(SegmentRequirement requirement);
}
