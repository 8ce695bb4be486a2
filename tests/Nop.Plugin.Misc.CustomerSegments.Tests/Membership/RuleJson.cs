using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// Rules of the real field catalog for the membership tests, as the JSON the admin's rule builder saves
/// </summary>
public static class RuleJson
{
    private static readonly SegmentRuleSerializer _serializer = new();

    public static RuleCondition Condition(string field, string op, params object[] values) => new()
    {
        Field = field,
        Operator = op,
        Values = values.Select(value => JsonSerializer.SerializeToElement(value)).ToList()
    };

    /// <summary>
    /// A rule whose conditions must all hold
    /// </summary>
    public static string Json(params RuleCondition[] conditions) =>
        _serializer.Serialize(new SegmentRule { Root = new RuleGroup { Match = GroupMatch.All, Children = [.. conditions] } });

    public static RuleCondition Company(string company) => Condition(RuleFields.Company, Equal, company);

    /// <summary>
    /// At least this many purchases (paid, not cancelled, not deleted orders)
    /// </summary>
    public static RuleCondition OrdersAtLeast(int count) => Condition(RuleFields.OrderCount, GreaterThanOrEqual, count);

    public static RuleCondition BillingCountry(int countryId) => Condition(RuleFields.BillingCountry, Equal, countryId);

    public static RuleCondition Subscribed() => Condition(RuleFields.NewsletterSubscribed, Equal, true);

    public static RuleCondition WishlistNotEmpty() => Condition(RuleFields.WishlistNotEmpty, Equal, true);

    public static RuleCondition GenericAttribute(string key, string value)
    {
        var condition = Condition(RuleFields.GenericAttribute, Equal, value);
        condition.Key = key;
        return condition;
    }

    public static RuleCondition HasRole(int roleId) => Condition(RuleFields.CustomerRoles, AnyOf, roleId);

    public static RuleCondition MemberOf(int segmentId) => Condition(RuleFields.SegmentMember, In, segmentId);

    public static RuleCondition RegisteredMoreThanDaysAgo(int days) => Condition(RuleFields.RegisteredDate, MoreThanDaysAgo, days);

    public static RuleCondition Active(bool active) => Condition(RuleFields.Active, Equal, active);
}
