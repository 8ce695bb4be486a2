using System.Globalization;
using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// Random valid rules over the values of a <see cref="RandomShop"/>
/// </summary>
public class RandomRules
{
    private static readonly string[] _textSnippets = ["par", "PARIS", "york", "ber", "%", "_", "x' OR '1'='1", "'); DROP TABLE Customer;--", "acme", "7500", "1", "ads", "GOLD", "red", "green & white", "Blue"];

    private readonly Random _random;
    private readonly IRuleFieldCatalog _catalog;
    private readonly IReadOnlyList<int> _roleIds;

    public RandomRules(int seed, IRuleFieldCatalog catalog, IReadOnlyList<int> roleIds)
    {
        _random = new Random(seed);
        _catalog = catalog;
        _roleIds = roleIds;
    }

    public SegmentRule Rule(int maxDepth = 3)
    {
        return new SegmentRule { Root = Group(1, maxDepth) };
    }

    private RuleGroup Group(int depth, int maxDepth)
    {
        var group = new RuleGroup { Match = _random.Next(2) == 0 ? GroupMatch.All : GroupMatch.Any, Negate = _random.Next(4) == 0 };
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
            group.Children.Add(depth < maxDepth && _random.Next(4) == 0 ? Group(depth + 1, maxDepth) : Condition(Pick(_catalog.GetFields())));
        return group;
    }

    public RuleCondition Condition(RuleFieldDescriptor field, string op = null)
    {
        op ??= Pick(field.Operators);
        var condition = new RuleCondition { Field = field.Name, Operator = op };
        if (field.HasPeriod && (field.RequiresPeriod || _random.Next(2) == 0))
            condition.PeriodDays = field.Name == RuleFields.AbandonedCart ? _random.Next(1, 30) : _random.Next(1, 400);
        if (field.HasKey)
            condition.Key = field.Name == RuleFields.GenericAttribute
                ? Pick(RandomShop.GenericKeys) is var key && _random.Next(2) == 0 ? key.ToUpperInvariant() : RandomShop.GenericKeys[0]
                : field.Name == RuleFields.CustomerAttributeValues ? RandomShop.SelectAttributeId.ToString() : RandomShop.TextAttributeId.ToString();

        var count = op switch
        {
            IsEmpty or IsNotEmpty => 0,
            Between or BetweenDates => 2,
            In or NotIn or AnyOf or AllOf or NoneOf => _random.Next(1, 4),
            _ => 1
        };
        var values = Enumerable.Range(0, count).Select(_ => Value(field, op)).ToList();
        if (op == Between)
            values = values.OrderBy(v => v.GetDecimal()).ToList();
        if (op == BetweenDates)
            values = values.OrderBy(v => v.GetString(), StringComparer.Ordinal).ToList();
        condition.Values = values;
        return condition;
    }

    private JsonElement Value(RuleFieldDescriptor field, string op)
    {
        if (op is InLastDays or MoreThanDaysAgo)
            return E(_random.Next(0, 500));

        return field.Name switch
        {
            RuleFields.Age => E(_random.Next(15, 85)),
            RuleFields.BirthMonth => E(_random.Next(1, 13)),
            RuleFields.Gender => E(Pick(new[] { "M", "F", "N" })),
            RuleFields.CustomerAttributeValues => E(Pick(RandomShop.SelectAttributeValueIds)),
            RuleFields.CustomerAttributeText => E(Pick(RandomShop.AttributeTexts) is var t && _random.Next(2) == 0 ? t.ToUpperInvariant() : t),
            RuleFields.BillingCountry or RuleFields.ShippingCountry => E(_random.Next(1, 4)),
            RuleFields.BillingStateProvince or RuleFields.ShippingStateProvince => E(_random.Next(1, 5)),
            RuleFields.OrderCount or RuleFields.OrderCountInPeriod or RuleFields.RefundedOrderCount or RuleFields.CancelledOrderCount => E(_random.Next(0, 7)),
            RuleFields.TotalSpent or RuleFields.SpentInPeriod => E(_random.Next(0, 1500) + (_random.Next(2) == 0 ? 0.5m : 0m)),
            RuleFields.AverageOrderValue => E(_random.Next(0, 500) + (_random.Next(2) == 0 ? 0.5m : 0m)),
            RuleFields.DaysSinceLastOrder => E(_random.Next(0, 400)),
            RuleFields.BoughtProducts => E(_random.Next(1, 9)),
            RuleFields.BoughtCategories => E(_random.Next(1, 5)),
            RuleFields.BoughtManufacturers => E(_random.Next(1, 4)),
            RuleFields.RfmRecency or RuleFields.RfmFrequency or RuleFields.RfmMonetary => E(_random.Next(1, 6)),
            RuleFields.RfmGroup => E(Pick(RfmGroups.All)),
            RuleFields.CustomerRoles => E(Pick(_roleIds)),
            RuleFields.RegisteredInStore => E(_random.Next(1, 3)),
            RuleFields.Affiliate => E(_random.Next(1, 3)),
            RuleFields.Vendor => E(1),
            RuleFields.SegmentMember => E(_random.Next(1, 3)),
            _ => field.DataType switch
            {
                RuleDataType.Boolean => E(_random.Next(2) == 0),
                RuleDataType.Date => E(RandomShop.Now.AddDays(-_random.Next(0, 900)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                RuleDataType.Text => E(_random.Next(2) == 0
                    ? Pick(RandomShop.Cities.Concat(RandomShop.Zips).Concat(RandomShop.Companies).Concat(RandomShop.GenericValues).Where(s => s != "").ToList())
                    : Pick(_textSnippets)),
                _ => throw new ArgumentException(field.Name)
            }
        };
    }

    private T Pick<T>(IReadOnlyList<T> list) => list[_random.Next(list.Count)];

    private static JsonElement E(object value) => JsonSerializer.SerializeToElement(value);
}
