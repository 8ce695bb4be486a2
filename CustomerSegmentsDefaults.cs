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

    /// <summary>
    /// Name of the lease the scheduled rebuild holds while it runs
    /// </summary>
    public static string RebuildLeaseName => "SegmentRebuildTask";

    /// <summary>
    /// How long the rebuild lease lasts without renewal; renewed after each segment
    /// </summary>
    public static TimeSpan RebuildLeaseDuration => TimeSpan.FromMinutes(30);

    public static string LocaleResourcePrefix => "Plugins.Misc.CustomerSegments";

    public static string ManagePermissionSystemName => "Misc.CustomerSegments.Manage";

    public static string RebuildTaskName => "Customer segments: rebuild time-based segments";

    public static string RebuildTaskType => "Nop.Plugin.Misc.CustomerSegments.Services.SegmentRebuildTask";

    public static int DefaultRebuildIntervalSeconds => 60 * 60;
}
