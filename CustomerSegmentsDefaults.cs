namespace Nop.Plugin.Misc.CustomerSegments;

/// <summary>
/// Names and constants of the customer segments plugin
/// </summary>
public static class CustomerSegmentsDefaults
{
    public static string SystemName => "Misc.CustomerSegments";

    public static string SegmentTableName => "CustomerSegment";

    public static string MembershipTableName => "CustomerSegmentMembership";

    public static string LeaseTableName => "CustomerSegmentLease";

    public static string OrderStatisticsTableName => "CustomerSegmentOrderStatistics";

    /// <summary>
    /// Name of the lease the scheduled rebuild holds while it runs
    /// </summary>
    public static string RebuildLeaseName => "SegmentRebuildTask";

    /// <summary>
    /// How long the rebuild lease lasts without renewal; renewed after each segment
    /// </summary>
    public static TimeSpan RebuildLeaseDuration => TimeSpan.FromMinutes(30);

    public static string LocaleResourcePrefix => "Plugins.Misc.CustomerSegments";

    /// <summary>
    /// System name of the admin menu item (Customers > Customer segments)
    /// </summary>
    public static string AdminMenuSystemName => "Customer segments";

    public static string ManagePermissionSystemName => Services.CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS;

    public static string RebuildTaskName => "Customer segments: rebuild time-based segments";

    public static string RebuildTaskType => "Nop.Plugin.Misc.CustomerSegments.Services.SegmentRebuildTask";

    /// <summary>
    /// Setting that holds a discount requirement of this plugin's rule as JSON (see Services.Discounts.SegmentRequirement);
    /// {0} is the requirement id
    /// </summary>
    public static string DiscountRequirementSettingsKey => "DiscountRequirement.CustomerSegments-{0}";

    /// <summary>
    /// Route of the discount requirement's configuration
    /// </summary>
    public static string DiscountRequirementConfigurationRouteName => "Plugin.Misc.CustomerSegments.DiscountRequirement.Configure";

    /// <summary>
    /// HTML field prefix of a requirement's configuration form; {0} is the requirement id (0 for a new one)
    /// </summary>
    public static string DiscountRequirementHtmlFieldPrefix => "CustomerSegmentsRequirement{0}";

    public static int DefaultRebuildIntervalSeconds => 60 * 60;
}
