using Nop.Core.Caching;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Caching;

/// <summary>
/// Cache keys of the plugin
/// </summary>
public static class CustomerSegmentsCacheDefaults
{
    /// <summary>
    /// Prefix of every key of the plugin
    /// </summary>
    public static string Prefix => "Nop.plugins.misc.customersegments.";

    /// <summary>
    /// Prefix of every per-customer key: removing it drops the cached segments of all customers
    /// </summary>
    public static string CustomerSegmentIdsPrefix => "Nop.plugins.misc.customersegments.customer.segmentids.";

    /// <summary>
    /// Identifiers of the active segments a customer is in; {0} is the customer id
    /// </summary>
    public static CacheKey CustomerSegmentIdsCacheKey => new("Nop.plugins.misc.customersegments.customer.segmentids.{0}");

    /// <summary>
    /// The active dynamic segments (with their rules), read by the re-evaluation after each event
    /// </summary>
    public static CacheKey ActiveDynamicSegmentsCacheKey => new("Nop.plugins.misc.customersegments.segments.activedynamic");

    /// <summary>
    /// The active segments of both types, read by the discount requirement and the shopper offers widget
    /// </summary>
    public static CacheKey ActiveSegmentsCacheKey => new("Nop.plugins.misc.customersegments.segments.allactive");

    /// <summary>
    /// The segments a discount requirement names, read once per request; {0} is the requirement id
    /// </summary>
    public static CacheKey RequirementSegmentsCacheKey => new("Nop.plugins.misc.customersegments.requirement.segments.{0}");

    /// <summary>
    /// The discount requirements of the plugin's rule, of every discount, read by the shopper offers widget
    /// </summary>
    public static CacheKey RuleRequirementsCacheKey => new("Nop.plugins.misc.customersegments.discountrequirements.rule");
}
