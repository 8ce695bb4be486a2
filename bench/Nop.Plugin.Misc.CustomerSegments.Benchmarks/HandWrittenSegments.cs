using LinqToDB.Data;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// One of the ten demo segments: what it means, and a hand-written SQL query selecting its customers
/// (the baseline the rule engine's query is held against). Dates and thresholds are parameters.
/// </summary>
public record DemoSegment(int Number, string Name, string Meaning, string Sql, DataParameter[] Parameters)
{
    /// <summary>
    /// The same query restricted to one customer (@customerId)
    /// </summary>
    public string SqlForCustomer => $"SELECT s.\"Id\" FROM ({Sql}) s WHERE s.\"Id\" = @customerId";
}

public static class HandWrittenSegments
{
    public const int Country = 2;
    public const int CategoryId = 7;

    //orders that count: not deleted, not cancelled
    private const string CountedOrders = "o.\"Deleted\" = false AND o.\"OrderStatusId\" <> 40";
    private const string RealCustomers = "c.\"Deleted\" = false AND c.\"IsSystemAccount\" = false";

    private static string ByOrderAggregate(string having, string extraOrderFilter = "") =>
        $"SELECT c.\"Id\" FROM \"Customer\" c JOIN (SELECT o.\"CustomerId\" FROM \"Order\" o WHERE {CountedOrders}{extraOrderFilter} " +
        $"GROUP BY o.\"CustomerId\" HAVING {having}) a ON a.\"CustomerId\" = c.\"Id\" WHERE {RealCustomers}";

    private static string Registered =>
        $"EXISTS (SELECT 1 FROM \"Customer_CustomerRole_Mapping\" m WHERE m.\"Customer_Id\" = c.\"Id\" AND m.\"CustomerRole_Id\" = {ShopModel.RegisteredRoleId})";

    private static DataParameter Date(string name, DateTime value) => new(name, value, LinqToDB.DataType.DateTime2);

    public static IReadOnlyList<DemoSegment> Create(DateTime nowUtc, bool sqlite = false)
    {
        //SQLite keeps decimals as REAL: a decimal parameter would arrive as TEXT and compare as text
        DataParameter Money(string name, decimal value) => sqlite ? new(name, (double)value) : new(name, value);
        return
    [
        new(1, "VIP", "spent >= 10,000 in total",
            ByOrderAggregate("SUM(o.\"OrderTotal\") >= @total"),
            [Money("total", 10_000m)]),
        new(2, "At risk (RFM)", ">= 3 orders, spent >= 500, last order 90-365 days ago",
            ByOrderAggregate("COUNT(*) >= 3 AND SUM(o.\"OrderTotal\") >= @total AND MAX(o.\"CreatedOnUtc\") < @recent AND MAX(o.\"CreatedOnUtc\") >= @oldest"),
            [Money("total", 500m), Date("recent", nowUtc.AddDays(-90)), Date("oldest", nowUtc.AddDays(-365))]),
        new(3, "New customers", "registered in the last 30 days",
            $"SELECT c.\"Id\" FROM \"Customer\" c WHERE {RealCustomers} AND c.\"CreatedOnUtc\" >= @since AND {Registered}",
            [Date("since", nowUtc.AddDays(-30))]),
        new(4, "Lapsed", "last order more than 180 days ago",
            ByOrderAggregate("MAX(o.\"CreatedOnUtc\") < @before"),
            [Date("before", nowUtc.AddDays(-180))]),
        new(5, "Newsletter in one country", $"active newsletter subscriber, billing country {Country}",
            $"SELECT c.\"Id\" FROM \"Customer\" c JOIN \"Address\" a ON a.\"Id\" = c.\"BillingAddress_Id\" WHERE {RealCustomers} AND a.\"CountryId\" = @country " +
            $"AND EXISTS (SELECT 1 FROM \"NewsLetterSubscription\" n WHERE n.\"Email\" = c.\"Email\" AND n.\"StoreId\" = @store AND n.\"Active\" = true)",
            [new("country", Country), new("store", ShopModel.StoreId)]),
        new(6, "Bought from a category", $"ordered a product of category {CategoryId}",
            $"SELECT c.\"Id\" FROM \"Customer\" c WHERE {RealCustomers} AND c.\"Id\" IN (SELECT o.\"CustomerId\" FROM \"Order\" o " +
            $"JOIN \"OrderItem\" i ON i.\"OrderId\" = o.\"Id\" JOIN \"Product_Category_Mapping\" pc ON pc.\"ProductId\" = i.\"ProductId\" " +
            $"WHERE {CountedOrders} AND pc.\"CategoryId\" = @category)",
            [new("category", CategoryId)]),
        new(7, "Frequent buyers", ">= 5 orders",
            ByOrderAggregate("COUNT(*) >= @orders"),
            [new("orders", 5)]),
        new(8, "Big basket", "average order value >= 300",
            ByOrderAggregate("AVG(o.\"OrderTotal\") >= @average"),
            [Money("average", 300m)]),
        new(9, "Registered, no orders", "registered and never ordered",
            $"SELECT c.\"Id\" FROM \"Customer\" c WHERE {RealCustomers} AND {Registered} " +
            $"AND NOT EXISTS (SELECT 1 FROM \"Order\" o WHERE o.\"CustomerId\" = c.\"Id\" AND {CountedOrders})",
            []),
        new(10, "High spenders in a period", "spent >= 1,000 in the last 90 days",
            ByOrderAggregate("SUM(o.\"OrderTotal\") >= @total", " AND o.\"CreatedOnUtc\" >= @since"),
            [Money("total", 1_000m), Date("since", nowUtc.AddDays(-90))])
    ];
    }
}
