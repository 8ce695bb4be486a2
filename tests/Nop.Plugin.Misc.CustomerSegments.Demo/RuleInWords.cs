using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Demo;

/// <summary>
/// A rule in the words of the admin's rule builder (the plugin's English field and operator names),
/// e.g. "Number of orders is at least 3 and Days since the last order is between 90 and 365"
/// </summary>
public class RuleInWords
{
    private readonly IRuleFieldCatalog _catalog;
    private readonly Func<RuleValueSource, int, string> _valueName;

    /// <param name="catalog">The field catalog</param>
    /// <param name="valueName">Name of an id of a value source (country, category ...), or null to show the id</param>
    public RuleInWords(IRuleFieldCatalog catalog, Func<RuleValueSource, int, string> valueName)
    {
        _catalog = catalog;
        _valueName = valueName;
    }

    private static string Text(string name) =>
        LocaleResources.EnglishResources.TryGetValue($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.{name}", out var text) ? text : name;

    public string Describe(SegmentRule rule) => Group(rule.Root, true);

    private string Group(RuleGroup group, bool root)
    {
        var parts = group.Children.Select(child => child is RuleGroup inner ? Group(inner, false) : Condition((RuleCondition)child)).ToList();
        var text = string.Join(group.Match == GroupMatch.Any ? " or " : " and ", parts);
        if (!root || group.Negate)
            text = $"({text})";

        return group.Negate ? $"not {text}" : text;
    }

    private string Condition(RuleCondition condition)
    {
        var field = _catalog.GetField(condition.Field);
        var words = new List<string> { Text($"Rules.Field.{condition.Field}") };
        if (!string.IsNullOrEmpty(condition.Key))
            words.Add($"[{condition.Key}]");

        var values = (condition.Values ?? []).Select(value => Value(field, value)).ToList();
        var op = Text($"Rules.Operator.{condition.Operator}");
        if (op.Contains("..."))
            words.Add(op.Replace("...", string.Join(", ", values)));
        else
        {
            words.Add(op);
            if (values.Count > 0)
                words.Add(condition.Operator is RuleOperators.Between or RuleOperators.BetweenDates ? string.Join(" and ", values) : string.Join(", ", values));
        }

        if (condition.PeriodDays.HasValue)
            words.Add($"(last {condition.PeriodDays} days)");

        return string.Join(" ", words);
    }

    private string Value(RuleFieldDescriptor field, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.True)
            return Text("RuleBuilder.Yes");
        if (value.ValueKind == JsonValueKind.False)
            return Text("RuleBuilder.No");
        if (value.ValueKind == JsonValueKind.Number && field?.ValueSource is not (null or RuleValueSource.None) && value.TryGetInt32(out var id))
            return _valueName(field.ValueSource, id) ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
    }
}
