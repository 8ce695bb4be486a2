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

    public static string RebuildRunTableName => "CustomerSegmentRebuildRun";

    public static string OrderStatisticsTableName => "CustomerSegmentOrderStatistics";

    public static string DailyPurchasesTableName => "CustomerSegmentDailyPurchases";

    public static string PurchasedProductsTableName => "CustomerSegmentPurchasedProduct";

    public static string PendingCustomerTableName => "CustomerSegmentPendingCustomer";

    /// <summary>
    /// How many queued customers the scheduled rebuild reads at a time (see <see cref="Services.ISegmentPendingCustomerService"/>)
    /// </summary>
    public static int PendingCustomerBatchSize => 500;

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
    /// The key of a locale resource of the discount requirement (its form, its warnings and errors)
    /// </summary>
    public static string DiscountRequirementResource(string name) => $"{LocaleResourcePrefix}.DiscountRequirement.{name}";

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

    /// <summary>
    /// Default interval of the scheduled rebuild of every segment, in hours
    /// </summary>
    public static int DefaultFullRebuildIntervalHours => 24;

    /// <summary>
    /// Longest interval of the scheduled rebuild of every segment, in hours (30 days)
    /// </summary>
    public static int MaxFullRebuildIntervalHours => 30 * 24;

    /// <summary>
    /// Public widget zones the admin can choose for the shopper offers: the tops of the pages where a shopper
    /// decides to buy (home, catalog, product, cart, checkout, account)
    /// </summary>
    public static IReadOnlyList<string> ShopperWidgetZones =>
    [
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.HomepageTop,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.HomepageBottom,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.ContentBefore,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.MainColumnBefore,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.CategoryDetailsTop,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.ManufacturerDetailsTop,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.ProductDetailsTop,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.ProductDetailsOverviewTop,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.OrderSummaryContentBefore,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.CheckoutConfirmTop,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.OpcContentBefore,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.CustomerInfoTop,
        Nop.Web.Framework.Infrastructure.PublicWidgetZones.AccountNavigationAfter
    ];
}
