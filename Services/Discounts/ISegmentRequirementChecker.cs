using Nop.Services.Discounts;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// Decides whether a customer meets a discount requirement of this plugin
/// </summary>
public interface ISegmentRequirementChecker
{
    Task<DiscountRequirementValidationResult> CheckAsync(DiscountRequirementValidationRequest request);
}
