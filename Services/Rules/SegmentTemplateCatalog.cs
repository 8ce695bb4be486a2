using System.Text.Json;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// The templates hold no ids of the shop's data (countries, categories...), only figures every shop has; amounts are
/// a starting point the admin adjusts to the shop's currency and prices
/// </summary>
public class SegmentTemplateCatalog : ISegmentTemplateCatalog
{
    /// <summary>
    /// The templates, built anew for each caller: a rule is mutable
    /// </summary>
    protected static IReadOnlyList<SegmentTemplate> CreateTemplates() =>
    [
        new("Vip", All(Condition(RuleFields.TotalSpent, GreaterThanOrEqual, 1000))),
        new("FrequentBuyers", All(Condition(RuleFields.OrderCount, GreaterThanOrEqual, 5))),
        new("OneTimeBuyers", All(Condition(RuleFields.OrderCount, Equal, 1))),
        new("RecentHighSpenders", All(Within(90, Condition(RuleFields.SpentInPeriod, GreaterThanOrEqual, 500)))),
        new("NewCustomers", All(Condition(RuleFields.RegisteredDate, InLastDays, 30))),
        new("RegisteredWithoutOrders", All(Condition(RuleFields.OrderCount, Equal, 0))),
        new("LapsedBuyers", All(
            Condition(RuleFields.OrderCount, GreaterThanOrEqual, 1),
            Condition(RuleFields.LastOrderDate, MoreThanDaysAgo, 365))),
        new("SlippingAway", All(
            Condition(RuleFields.OrderCount, GreaterThanOrEqual, 3),
            Condition(RuleFields.DaysSinceLastOrder, Between, 90, 365))),
        new("AbandonedCarts", All(Within(3, Condition(RuleFields.AbandonedCart, Equal, true)))),
        new("RfmChampions", All(Condition(RuleFields.RfmGroup, Equal, RfmGroups.Champions))),
        new("RfmAtRisk", All(Condition(RuleFields.RfmGroup, Equal, RfmGroups.AtRisk))),
        new("NewsletterSubscribers", All(Condition(RuleFields.NewsletterSubscribed, Equal, true)))
    ];

    protected static RuleCondition Condition(string field, string op, params object[] values) => new()
    {
        Field = field,
        Operator = op,
        Values = values.Select(value => JsonSerializer.SerializeToElement(value)).ToList()
    };

    protected static RuleCondition Within(int days, RuleCondition condition)
    {
        condition.PeriodDays = days;
        return condition;
    }

    protected static SegmentRule All(params RuleCondition[] conditions) =>
        new() { Root = new RuleGroup { Match = GroupMatch.All, Children = [.. conditions] } };

    public virtual IReadOnlyList<SegmentTemplate> GetTemplates() => CreateTemplates();

    public virtual SegmentTemplate GetTemplate(string systemName) =>
        CreateTemplates().FirstOrDefault(template => string.Equals(template.SystemName, systemName, StringComparison.OrdinalIgnoreCase));
}
