namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Drops cached segment memberships; called by whatever changes memberships, after the change is saved
/// </summary>
public interface ISegmentCacheInvalidator
{
    /// <summary>
    /// After the memberships of one customer changed (entered or left a segment)
    /// </summary>
    Task CustomerMembershipChangedAsync(int customerId);

    /// <summary>
    /// After the memberships of several customers changed
    /// </summary>
    Task CustomersMembershipChangedAsync(IEnumerable<int> customerIds);

    /// <summary>
    /// After a change that may touch any customer: a full rebuild, a segment deleted, activated or deactivated
    /// </summary>
    Task AllMembershipsChangedAsync();

    /// <summary>
    /// After a segment was inserted, updated (rule, type, store, active) or deleted: drops the cached active segments
    /// </summary>
    Task SegmentsChangedAsync();

    /// <summary>
    /// After nopCommerce inserted, updated or deleted a discount requirement: drops the cached requirements of the rule
    /// </summary>
    Task DiscountRequirementsChangedAsync();

    /// <summary>
    /// When the plugin is installed or uninstalled: drops every key of the plugin (a distributed cache outlives the
    /// application, and a reinstalled plugin numbers its segments from 1 again)
    /// </summary>
    Task PluginDataChangedAsync();
}
