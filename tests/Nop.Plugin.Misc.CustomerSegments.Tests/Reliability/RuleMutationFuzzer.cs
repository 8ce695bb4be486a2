using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Rules mutated from valid ones, property by property: every property of a valid rule in turn gets JSON of a wrong
/// type, an extreme number, a strange date, a huge or empty array, control characters, lone surrogates, SQL or
/// script; plus duplicate and unknown properties, nesting around the limit, operators and values of another field.
/// Mutations are written as raw JSON text, so that what a JSON writer would refuse (lone surrogates, 1e400) is sent too.
/// </summary>
public class RuleMutationFuzzer
{
    private const string Slot = "@@slot@@";

    private static string Marker(int index) => Slot + index.ToString(CultureInfo.InvariantCulture);

    private static readonly string[] _tokens =
    [
        "null", "true", "false", "{}", "[]", "[[]]", "[null]", "{\"kind\":\"group\"}", "[1,\"a\",null]",
        "0", "-0", "-1", "1", "1.5", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775808",
        "79228162514264337593543950336", "-79228162514264337593543950336", "1e400", "-1e400", "1e-400", "1E+2", "0.0000000000000000000000000001",
        "999999999999.9999", "1000000000000.0001", "1000000000000", "36600", "36601",
        "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1\"", "\"-0\"", "\"\"", "\" \"", "\"null\"", "\"true\"",
        "\"0000-01-01\"", "\"0001-01-01\"", "\"1899-12-31\"", "\"1900-01-01\"", "\"2200-12-31\"", "\"2201-01-01\"",
        "\"9999-12-31T23:59:59.9999999Z\"", "\"2026-02-30\"", "\"2024-02-29\"", "\"2016-12-31T23:59:60Z\"", "\"2026-01-01T00:00:00+14:00\"",
        "\"2026-01-01+14:00\"", "\"2026-1-1\"", "\"20260101\"", "\"\u0662\u0660\u0662\u0666-01-01\"",
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u001f\"", "\"\\u007f\"", "\"\\u2028\"", "\"\\ufeff\"", "\"\\ud800\"", "\"x\\udc00\"", "\"\\ud83d\\ude00\"",
        "\"'); DROP TABLE \\\"Customer\\\";--\"", "\"' OR ''='\"", "\"%' OR '1'='1\"", "\"_%\\\\\"", "\"<script>alert(1)</script>\"", "\"${7*7}{{7*7}}\"",
        "\"M\"", "\"F\"", "\"champions\"", "\"group\"", "\"condition\"", "\"All\"", "\"Any\"", "\"eq\"", "\"in\"", "\"orders.count\"",
        "\"" + new string('x', 400) + "\"", "\"" + new string('x', 401) + "\"", "\"" + new string('\'', 400) + "\"",
        "\"" + string.Concat(Enumerable.Repeat("\u00fc", 400)) + "\"",
        "[" + string.Join(",", Enumerable.Range(1, 10_000)) + "]",
        "[" + string.Join(",", Enumerable.Repeat("\"a\"", 10_000)) + "]",
        "[" + string.Join(",", Enumerable.Range(1, 1000)) + "]",
        "[" + string.Join(",", Enumerable.Range(1, 1001)) + "]",
        "[0]", "[-1]", "[2147483648]", "[1e400]", "[\"2026-02-30\"]", "[\"\\ud800\"]", "[\"a\",\"a\",\"a\"]", "[1,1,1]"
    ];

    private static readonly string[] _operators = typeof(RuleOperators).GetFields().Select(f => (string)f.GetValue(null)).ToArray();

    private readonly Random _random;
    private readonly IReadOnlyList<RuleFieldDescriptor> _fields;

    public RuleMutationFuzzer(int seed, IReadOnlyList<RuleFieldDescriptor> fields)
    {
        _random = new Random(seed);
        _fields = fields;
    }

    public IEnumerable<(string Label, string Json)> Cases(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var rule = ValidRule();
            var label = new StringBuilder();
            var slots = new List<string>();
            var edits = _random.Next(4) == 0 ? 2 : 1;
            for (var e = 0; e < edits; e++)
                label.Append(Mutate(rule, slots)).Append("; ");

            var json = rule.ToJsonString();
            for (var s = 0; s < slots.Count; s++)
                json = json.Replace("\"" + Marker(s) + "\"", slots[s], StringComparison.Ordinal);
            foreach (var name in _duplicates)
                json = json.Replace("\"" + name + Slot + "\"", "\"" + name + "\"", StringComparison.Ordinal);
            _duplicates.Clear();

            yield return ($"case {i}: {label}", json);
        }
    }

    /// <summary>
    /// A valid rule of one to four conditions, some in a nested group
    /// </summary>
    private JsonObject ValidRule()
    {
        var root = Group();
        var children = (JsonArray)root["children"];
        for (var i = _random.Next(1, 5); i > 0; i--)
            children.Add(_random.Next(4) == 0 ? Group(ValidCondition()) : ValidCondition());
        return new JsonObject { ["version"] = 1, ["root"] = root };
    }

    private JsonObject Group(params JsonNode[] children) => new()
    {
        ["kind"] = "group",
        ["match"] = _random.Next(2) == 0 ? "All" : "Any",
        ["negate"] = _random.Next(4) == 0,
        ["children"] = new JsonArray(children)
    };

    private JsonObject ValidCondition()
    {
        var field = _fields[_random.Next(_fields.Count)];
        var op = Pick(field.Operators);
        var condition = new JsonObject { ["kind"] = "condition", ["field"] = field.Name, ["operator"] = op, ["values"] = ValidValues(field, op) };
        if (field.RequiresPeriod || field.HasPeriod && _random.Next(2) == 0)
            condition["periodDays"] = _random.Next(1, 400);
        if (field.HasKey)
            condition["key"] = field.Name is RuleFields.CustomerAttributeText or RuleFields.CustomerAttributeValues ? "1" : "VatNumber";
        return condition;
    }

    private JsonArray ValidValues(RuleFieldDescriptor field, string op)
    {
        var count = op switch
        {
            RuleOperators.IsEmpty or RuleOperators.IsNotEmpty => 0,
            RuleOperators.Between or RuleOperators.BetweenDates => 2,
            RuleOperators.In or RuleOperators.NotIn or RuleOperators.AnyOf or RuleOperators.AllOf or RuleOperators.NoneOf => _random.Next(1, 4),
            _ => 1
        };

        var values = Enumerable.Range(0, count).Select(_ => ValidValue(field, op)).ToList();
        if (count == 2)
            values.Sort((a, b) => string.CompareOrdinal(a.ToJsonString().PadLeft(20), b.ToJsonString().PadLeft(20)));
        return new JsonArray(values.ToArray());
    }

    private JsonNode ValidValue(RuleFieldDescriptor field, string op)
    {
        if (op is RuleOperators.InLastDays or RuleOperators.MoreThanDaysAgo)
            return _random.Next(0, 1000);

        return field.DataType switch
        {
            RuleDataType.Boolean => _random.Next(2) == 0,
            RuleDataType.Date => new DateTime(2020, 1, 1).AddDays(_random.Next(0, 2000)).ToString(RuleValues.DateFormat, CultureInfo.InvariantCulture),
            RuleDataType.Text => Pick(["Acme", "o'Brien", "Zürich", "%"]),
            _ when field.AllowedValues != null => Pick(field.AllowedValues),
            _ when field.Name == RuleFields.SegmentMember => _random.Next(1, 3),
            _ => _random.Next((int)field.MinValue, (int)Math.Min(field.MaxValue, 5) + 1)
        };
    }

    /// <summary>
    /// One mutation of the rule; says what it did
    /// </summary>
    private string Mutate(JsonObject rule, List<string> slots)
    {
        var objects = new List<JsonObject>();
        Collect(rule, objects);
        var target = Pick(objects);
        var conditions = objects.Where(o => (string)o["kind"] == "condition" && o["field"] is JsonValue).ToList();

        switch (_random.Next(10))
        {
            case <= 3:
            {
                //a property's value of another type or an extreme
                var names = new List<string> { "kind", "version", "root", "match", "negate", "children", "field", "operator", "values", "periodDays", "key" }
                    .Where(n => target.ContainsKey(n) || _random.Next(4) == 0).ToList();
                var name = Pick(names);
                var token = Pick(_tokens);
                target[name] = Marker(slots.Count);
                slots.Add(token);
                return $"{name}={Shorten(token)}";
            }
            case 4 when target["values"] is JsonArray values && values.Count > 0:
            {
                var token = Pick(_tokens);
                values[_random.Next(values.Count)] = Marker(slots.Count);
                slots.Add(token);
                return $"value={Shorten(token)}";
            }
            case 5:
            {
                //a duplicate of a property, before or after the original (raw text: a JSON writer would refuse it)
                var name = Pick(target.Select(p => p.Key).ToList());
                var token = _random.Next(2) == 0 ? target[name]?.ToJsonString() ?? "null" : Pick(_tokens);
                var renamed = new JsonObject();
                foreach (var (key, value) in target.ToList())
                {
                    target.Remove(key);
                    renamed[key] = value;
                }

                renamed[name + Slot] = Marker(slots.Count);
                foreach (var (key, value) in renamed.ToList())
                {
                    renamed.Remove(key);
                    target[key] = value;
                }

                slots.Add(token);
                _duplicates.Add(name);
                return $"duplicate {name}={Shorten(token)}";
            }
            case 6:
                target[Pick(["extra", "Field", "values ", "__proto__", "$type", "$id", "kind2"])] = 1;
                return "unknown property";
            case 7 when rule["root"] is JsonObject:
            {
                //nesting around the limit of the tree
                var levels = _random.Next(RuleValueLimits.MaxDepth - 2, RuleValueLimits.MaxDepth + 2);
                var root = (JsonObject)rule["root"];
                rule.Remove("root");
                for (var i = 0; i < levels; i++)
                    root = Group(root);
                rule["root"] = root;
                return $"wrapped in {levels} groups";
            }
            case 8 when conditions.Count > 0:
            {
                //an operator or a field that does not belong to the rest of the condition
                var condition = Pick(conditions);
                if (_random.Next(2) == 0)
                    condition["operator"] = Pick(_operators);
                else
                    condition["field"] = Pick(_fields).Name;
                return $"{condition["field"]} {condition["operator"]}";
            }
            default:
            {
                if (conditions.Count == 0)
                    return "none";
                //long lists of texts of characters JSON writers escape
                var condition = Pick(conditions);
                condition["field"] = Pick([RuleFields.Company, RuleFields.BillingCity, RuleFields.ShippingZipPostalCode]);
                condition["operator"] = Pick([RuleOperators.In, RuleOperators.NotIn]);
                var text = Pick(["'", "<", "\u00fc", "\u65e5", "\ud83d\ude00", "a"]);
                var repeated = string.Concat(Enumerable.Repeat(text, (RuleValueLimits.MaxTextLength - 4) / text.Length));
                var count = _random.Next(1, 640);
                //raw, as the rule builder's JSON.stringify writes them
                condition["values"] = Marker(slots.Count);
                slots.Add("[" + string.Join(",", Enumerable.Range(0, count).Select(i => "\"" + i.ToString(CultureInfo.InvariantCulture) + repeated + "\"")) + "]");
                return $"{count} texts of '{text}'";
            }
        }
    }

    private readonly List<string> _duplicates = [];

    private static void Collect(JsonNode node, List<JsonObject> objects)
    {
        if (node is JsonObject obj)
        {
            objects.Add(obj);
            foreach (var (_, value) in obj)
                Collect(value, objects);
        }
        else if (node is JsonArray array && array.Count < 50)
        {
            foreach (var item in array)
                Collect(item, objects);
        }
    }

    private static string Shorten(string token) => token.Length <= 40 ? token : token[..40] + $"...({token.Length})";

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
