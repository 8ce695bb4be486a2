using System.Text.Json;
using LinqToDB.Data;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// One of the ten demo segments: what it means, and a hand-written SQL query selecting its customers
/// (the baseline the rule engine's query is held against). Dates and thresholds are parameters.
/// </summary>
public record DemoSegment(int Number, string Name, string Meaning, string Sql, DataParameter[] Parameters, SegmentRule Rule = null)
{
    /// <summary>
    /// The same query restricted to one customer (@customerId)
    /// </summary>
    /// <summary>
    /// Whether membership depends on ranks among all buyers (RFM): such a segment is left to the scheduled rebuild
    /// </summary>
    public bool RanksAllBuyers => Name.Contains("(RFM)");

    public string SqlForCustomer => $"SELECT s.\"Id\" FROM ({Sql}) s WHERE s.\"Id\" = @customerId";
}

public static class HandWrittenSegments
{
    public const int Country = 2;
    public const int CategoryId = 7;

    //orders that count: not deleted, not cancelled
    //the engine's defaults: paid, not cancelled, not deleted
    private const string CountedOrders = "o.\"Deleted\" = false AND o.\"PaymentStatusId\" = 30 AND o.\"OrderStatusId\" <> 40";
    //not deleted, not system accounts, guests excluded (in the Guests role and not Registered)
    private static readonly string RealCustomers = "c.\"Deleted\" = false AND c.\"IsSystemAccount\" = false AND (" +
        $"NOT EXISTS (SELECT 1 FROM \"Customer_CustomerRole_Mapping\" g WHERE g.\"Customer_Id\" = c.\"Id\" AND g.\"CustomerRole_Id\" = {ShopModel.GuestsRoleId}) OR " +
        $"EXISTS (SELECT 1 FROM \"Customer_CustomerRole_Mapping\" r WHERE r.\"Customer_Id\" = c.\"Id\" AND r.\"CustomerRole_Id\" = {ShopModel.RegisteredRoleId}))";

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
            [Money("total", 10_000m)],
            Rule(Condition(RuleFields.TotalSpent, GreaterThanOrEqual, 10_000))),
        new(2, "At risk (RFM)", "RFM group \"at risk\" (recency score < 3, frequency score >= 3, 365-day window)",
            "SELECT c.\"Id\" FROM \"Customer\" c JOIN (SELECT s.\"CustomerId\", RANK() OVER (ORDER BY s.\"Last\") - 1 AS rb, " +
            "RANK() OVER (ORDER BY s.\"Count\") - 1 AS fb, COUNT(*) OVER () AS buyers FROM (SELECT o.\"CustomerId\", MAX(o.\"CreatedOnUtc\") AS \"Last\", COUNT(*) AS \"Count\" " +
            $"FROM \"Order\" o JOIN \"Customer\" c ON c.\"Id\" = o.\"CustomerId\" WHERE {CountedOrders} AND o.\"CreatedOnUtc\" >= @window AND {RealCustomers} GROUP BY o.\"CustomerId\") s) r " +
            $"ON r.\"CustomerId\" = c.\"Id\" WHERE {RealCustomers} AND 5 * r.rb < 2 * r.buyers AND 5 * r.fb >= 2 * r.buyers",
            [Date("window", nowUtc.AddDays(-365))],
            Rule(Condition(RuleFields.RfmGroup, In, RfmGroups.AtRisk))),
        new(3, "New customers", "registered in the last 30 days",
            $"SELECT c.\"Id\" FROM \"Customer\" c WHERE {RealCustomers} AND c.\"CreatedOnUtc\" >= @since",
            [Date("since", nowUtc.AddDays(-30))],
            Rule(Condition(RuleFields.RegisteredDate, InLastDays, 30))),
        new(4, "Lapsed", "last order 180 days ago or more",
            ByOrderAggregate("MAX(o.\"CreatedOnUtc\") <= @before"),
            [Date("before", nowUtc.AddDays(-180))],
            Rule(Condition(RuleFields.DaysSinceLastOrder, GreaterThanOrEqual, 180))),
        new(5, "Newsletter in one country", $"active newsletter subscriber, billing country {Country}",
            $"SELECT c.\"Id\" FROM \"Customer\" c JOIN \"Address\" a ON a.\"Id\" = c.\"BillingAddress_Id\" WHERE {RealCustomers} AND a.\"CountryId\" = @country " +
            "AND c.\"Email\" <> '' AND EXISTS (SELECT 1 FROM \"NewsLetterSubscription\" n WHERE n.\"Email\" = c.\"Email\" AND n.\"Active\" = true)",
            [new("country", Country)],
            Rule(Condition(RuleFields.NewsletterSubscribed, Equal, true), Condition(RuleFields.BillingCountry, Equal, Country))),
        new(6, "Bought from a category", $"ordered a product of category {CategoryId}",
            $"SELECT c.\"Id\" FROM \"Customer\" c WHERE {RealCustomers} AND c.\"Id\" IN (SELECT o.\"CustomerId\" FROM \"Order\" o " +
            $"JOIN \"OrderItem\" i ON i.\"OrderId\" = o.\"Id\" JOIN \"Product_Category_Mapping\" pc ON pc.\"ProductId\" = i.\"ProductId\" " +
            $"WHERE {CountedOrders} AND pc.\"CategoryId\" = @category)",
            [new("category", CategoryId)],
            Rule(Condition(RuleFields.BoughtCategories, AnyOf, CategoryId))),
        new(7, "Frequent buyers", ">= 5 orders",
            ByOrderAggregate("COUNT(*) >= @orders"),
            [new("orders", 5)],
            Rule(Condition(RuleFields.OrderCount, GreaterThanOrEqual, 5))),
        new(8, "Big basket", "average order value >= 300",
            ByOrderAggregate("AVG(o.\"OrderTotal\") >= @average"),
            [Money("average", 300m)],
            Rule(Condition(RuleFields.AverageOrderValue, GreaterThanOrEqual, 300))),
        new(9, "Registered, no orders", "in the Registered role, never ordered",
            $"SELECT c.\"Id\" FROM \"Customer\" c WHERE {RealCustomers} AND {Registered} " +
            $"AND NOT EXISTS (SELECT 1 FROM \"Order\" o WHERE o.\"CustomerId\" = c.\"Id\" AND {CountedOrders})",
            [],
            Rule(Condition(RuleFields.CustomerRoles, AnyOf, ShopModel.RegisteredRoleId), Condition(RuleFields.OrderCount, Equal, 0))),
        new(10, "High spenders in a period", "spent >= 1,000 in the last 90 days",
            ByOrderAggregate("SUM(o.\"OrderTotal\") >= @total", " AND o.\"CreatedOnUtc\" >= @since"),
            [Money("total", 1_000m), Date("since", nowUtc.AddDays(-90))],
            Rule(Condition(RuleFields.SpentInPeriod, GreaterThanOrEqual, 1_000, periodDays: 90)))
    ];
    }

    private static SegmentRule Rule(params RuleCondition[] conditions) =>
        new() { Root = new RuleGroup { Match = GroupMatch.All, Children = [.. conditions] } };

    private static RuleCondition Condition(string field, string op, object value, int? periodDays = null) => new()
    {
        Field = field,
        Operator = op,
        Values = [JsonSerializer.SerializeToElement(value)],
        PeriodDays = periodDays
    };
}
