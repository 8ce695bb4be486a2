namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// nopCommerce lets an admin limit a plugin to stores and customer roles (Configuration > Local plugins > Edit). For a
/// shopper outside them it does not load this discount rule and skips its requirements: a discount whose other
/// requirements pass then applies to shoppers in no segment
/// </summary>
public interface IPluginLimitsAdvisor
{
    /// <summary>
    /// Whether the plugin is limited to stores or to customer roles
    /// </summary>
    Task<bool> IsLimitedAsync();
}
