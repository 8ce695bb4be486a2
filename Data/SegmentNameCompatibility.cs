using Nop.Data.Mapping;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Data;

/// <summary>
/// Table names of the plugin's entities, prefixed so that they never clash with nopCommerce's own
/// </summary>
public class SegmentNameCompatibility : INameCompatibility
{
    public Dictionary<Type, string> TableNames => new()
    {
        [typeof(Segment)] = CustomerSegmentsDefaults.SegmentTableName,
        [typeof(SegmentMembership)] = CustomerSegmentsDefaults.MembershipTableName,
        [typeof(SegmentLease)] = CustomerSegmentsDefaults.LeaseTableName,
        [typeof(SegmentRebuildRun)] = CustomerSegmentsDefaults.RebuildRunTableName,
        [typeof(CustomerOrderStatistics)] = CustomerSegmentsDefaults.OrderStatisticsTableName,
        [typeof(CustomerDailyPurchases)] = CustomerSegmentsDefaults.DailyPurchasesTableName,
        [typeof(CustomerPurchasedProduct)] = CustomerSegmentsDefaults.PurchasedProductsTableName,
        [typeof(SegmentPendingCustomer)] = CustomerSegmentsDefaults.PendingCustomerTableName
    };

    public Dictionary<(Type, string), string> ColumnName => new();
}
