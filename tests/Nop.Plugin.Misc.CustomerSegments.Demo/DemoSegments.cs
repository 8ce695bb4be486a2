using System.Globalization;
using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Demo;

/// <summary>
/// What the demo shows next to each member of a segment
/// </summary>
public enum DemoFigure
{
    TotalSpent,
    DaysSinceLastOrder,
    RegisteredOn,
    LastOrderDate,
    City,
    OrdersWithCategory
}

/// <summary>
/// One of the demo's segments: its name, its rule as the admin's rule builder saves it (JSON), and the figure
/// shown with its members
/// </summary>
public record DemoSegmentDefinition(string Name, string Description, string RuleJson, DemoFigure Figure, int CategoryId = 0);

/// <summary>
/// Typical segments of a shop, over the sample shop's countries and categories
/// </summary>
public static class DemoSegments
{
    public const string Vip = "VIP customers";
    public const string AtRisk = "At risk";
    public const string NewCustomers = "New customers";
    public const string Lapsed = "Lapsed buyers";
    public const string GermanSubscribers = "Newsletter subscribers in Germany";
    public const string CoffeeBuyers = "Coffee buyers";
    public const string TeaNoEquipment = "Tea buyers without equipment";

    public static IReadOnlyList<DemoSegmentDefinition> Create(DemoCatalog catalog)
    {
        var germany = catalog.CountryIds["DE"];
        var coffee = catalog.CategoryIds["Coffee"];
        var tea = catalog.CategoryIds["Tea"];
        var equipment = catalog.CategoryIds["Brewing equipment"];

        return
        [
            new(Vip, "Spent 500 or more over all their orders", All(
                Condition(RuleFields.TotalSpent, GreaterThanOrEqual, 500)), DemoFigure.TotalSpent),
            new(AtRisk, "Bought at least 3 times, but not in the last 90 days (and within the last year)", All(
                Condition(RuleFields.OrderCount, GreaterThanOrEqual, 3),
                Condition(RuleFields.DaysSinceLastOrder, Between, 90, 365)), DemoFigure.DaysSinceLastOrder),
            new(NewCustomers, "Registered in the last 30 days", All(
                Condition(RuleFields.RegisteredDate, InLastDays, 30)), DemoFigure.RegisteredOn),
            new(Lapsed, "Bought before, nothing for more than a year", All(
                Condition(RuleFields.OrderCount, GreaterThanOrEqual, 1),
                Condition(RuleFields.LastOrderDate, MoreThanDaysAgo, 365)), DemoFigure.LastOrderDate),
            new(GermanSubscribers, "Subscribed to the newsletter, billing address in Germany", All(
                Condition(RuleFields.NewsletterSubscribed, Equal, true),
                Condition(RuleFields.BillingCountry, In, germany)), DemoFigure.City),
            new(CoffeeBuyers, "Bought from the Coffee category", All(
                Condition(RuleFields.BoughtCategories, AnyOf, coffee)), DemoFigure.OrdersWithCategory, coffee),
            new(TeaNoEquipment, "Bought tea in the last 180 days and never brewing equipment", All(
                Condition(RuleFields.BoughtCategories, AnyOf, tea) with { PeriodDays = 180 },
                Condition(RuleFields.BoughtCategories, NoneOf, equipment)), DemoFigure.OrdersWithCategory, tea)
        ];
    }

    private record ConditionJson(string Field, string Operator, object[] Values)
    {
        public int? PeriodDays { get; init; }
    }

    private static ConditionJson Condition(string field, string op, params object[] values) => new(field, op, values);

    /// <summary>
    /// The rule JSON the admin's rule builder posts: an "all" group of conditions
    /// </summary>
    private static string All(params ConditionJson[] conditions)
    {
        var rule = new
        {
            version = SegmentRule.CurrentSchemaVersion,
            root = new
            {
                kind = "group",
                match = "All",
                negate = false,
                children = conditions.Select(condition => new Dictionary<string, object>
                {
                    ["kind"] = "condition",
                    ["field"] = condition.Field,
                    ["operator"] = condition.Operator,
                    ["values"] = condition.Values,
                    ["periodDays"] = condition.PeriodDays
                }).ToArray()
            }
        };

        return JsonSerializer.Serialize(rule);
    }

    public static string Format(decimal value) => value.ToString("#,##0.00", CultureInfo.InvariantCulture);
}
