using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Hostile rule JSON from a fixed seed: random trees over the real field catalog with values of the right and of
/// wrong types, huge numbers, deep nesting, long strings, unicode, SQL and script fragments in values, keys and
/// names; plus byte-level mutations of valid JSON and a few hand-written extremes
/// </summary>
public class RuleFuzzer
{
    public static readonly string[] HostileStrings =
    [
        "'); DROP TABLE \"Customer\";--",
        "'; DELETE FROM Customer; --",
        "1; UPDATE \"Customer\" SET \"Deleted\" = true; --",
        "\" OR 1=1 --",
        "' OR ''='",
        "%' OR '1'='1",
        "\\'; DROP TABLE `Order`; #",
        "_%_%\\%",
        "<script>alert(1)</script>",
        "</script><script>alert('x')</script>",
        "${7*7}{{7*7}}",
        "=cmd|' /C calc'!A0",
        "\u0000\u0001\u001f",
        "Zoë 日本語 مرحبا 🎉\u200d\u202e",
        "\ud83d",
        "",
        " ",
        "null",
        "NaN",
        "-Infinity",
        "1e400",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "-1"
    ];

    private static readonly string[] _operators = typeof(RuleOperators).GetFields().Select(f => (string)f.GetValue(null)).ToArray();

    private readonly Random _random;
    private readonly IReadOnlyList<RuleFieldDescriptor> _fields;

    public RuleFuzzer(int seed, IReadOnlyList<RuleFieldDescriptor> fields)
    {
        _random = new Random(seed);
        _fields = fields;
    }

    public IEnumerable<(string Label, string Json)> Cases(int structured, int mutated)
    {
        foreach (var extreme in Extremes())
            yield return extreme;

        for (var i = 0; i < structured; i++)
            yield return ($"tree {i}", Rule(Group(1, hostility: i % 3 == 0 ? 0.25 : 0.03)).ToJsonString());

        for (var i = 0; i < mutated; i++)
            yield return ($"mutation {i}", Mutate(Rule(Group(1, 0.05)).ToJsonString()));
    }

    private IEnumerable<(string, string)> Extremes()
    {
        yield return ("empty", "");
        yield return ("null literal", "null");
        yield return ("array", "[]");
        yield return ("number", "42");
        yield return ("no root", "{\"version\":1}");
        yield return ("version huge", "{\"version\":99999999999,\"root\":{\"kind\":\"group\",\"children\":[]}}");
        yield return ("version negative", "{\"version\":-1,\"root\":{\"kind\":\"group\",\"children\":[]}}");
        yield return ("kind unknown", "{\"version\":1,\"root\":{\"kind\":\"'; DROP TABLE \\\"Customer\\\";--\",\"children\":[]}}");
        yield return ("root is condition", "{\"version\":1,\"root\":{\"kind\":\"condition\",\"field\":\"orders.count\",\"operator\":\"gt\",\"values\":[1]}}");
        yield return ("children null", "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":null}}");
        yield return ("child null", "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[null]}}");
        yield return ("match wrong", "{\"version\":1,\"root\":{\"kind\":\"group\",\"match\":\"Some\",\"children\":[]}}");
        yield return ("match number", "{\"version\":1,\"root\":{\"kind\":\"group\",\"match\":7,\"children\":[]}}");
        yield return ("negate string", "{\"version\":1,\"root\":{\"kind\":\"group\",\"negate\":\"yes\",\"children\":[]}}");
        yield return ("periodDays huge", "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"orders.countInPeriod\",\"operator\":\"gte\",\"values\":[1],\"periodDays\":1e300}]}}");
        yield return ("values object", "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[{\"kind\":\"condition\",\"field\":\"orders.count\",\"operator\":\"gte\",\"values\":{\"a\":1}}]}}");
        yield return ("duplicate keys", "{\"version\":1,\"version\":2,\"root\":{\"kind\":\"group\",\"children\":[]},\"root\":null}");
        yield return ("comments", "{/*x*/\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[]}}");
        yield return ("trailing comma", "{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[],},}");
        yield return ("bom and garbage", "\ufeff{\"version\":1,\"root\":{\"kind\":\"group\",\"children\":[]}} trailing");

        foreach (var depth in new[] { 9, 20, 64, 200, 5000 })
        {
            var json = new StringBuilder("{\"version\":1,\"root\":");
            for (var i = 0; i < depth; i++)
                json.Append("{\"kind\":\"group\",\"children\":[");
            json.Append("{\"kind\":\"condition\",\"field\":\"orders.count\",\"operator\":\"gte\",\"values\":[1]}");
            for (var i = 0; i < depth; i++)
                json.Append("]}");
            json.Append('}');
            yield return ($"nested {depth}", json.ToString());
        }

        //just over the size limit, and a long value inside the limit
        yield return ("over size limit", Rule(Group(Condition("customer.company", "contains", JsonValue.Create(new string('x', RuleValueLimits.MaxJsonLength))))).ToJsonString());
        yield return ("long value", Rule(Group(Condition("customer.company", "contains", JsonValue.Create(new string('\'', 100_000))))).ToJsonString());
        yield return ("long field name", Rule(Group(Condition(new string('f', 200_000), "eq", JsonValue.Create(1)))).ToJsonString());
        yield return ("many values", Rule(Group(Condition("orders.products", "anyOf", Enumerable.Range(1, 5000).Select(i => (JsonNode)JsonValue.Create(i)).ToArray()))).ToJsonString());
        yield return ("many conditions", Rule(Group(Enumerable.Range(0, 1500).Select(_ => (JsonNode)Condition("orders.count", "gte", JsonValue.Create(1))).ToArray())).ToJsonString());

        foreach (var number in new[] { "1e308", "-1e308", "1e-400", "79228162514264337593543950336", "-0", "0.0000000000000000000000001", "9223372036854775808", "2147483648", "-2147483649", "1.5" })
        {
            foreach (var (field, op) in new[] { ("orders.count", "gte"), ("orders.totalSpent", "between"), ("customer.age", "lt"), ("orders.daysSinceLast", "gt"), ("customer.registeredDate", "inLastDays"), ("orders.products", "anyOf"), ("segment.member", "in") })
            {
                var values = op == "between" ? $"[{number},{number}]" : $"[{number}]";
                yield return ($"number {number} {field}", $"{{\"version\":1,\"root\":{{\"kind\":\"group\",\"children\":[{{\"kind\":\"condition\",\"field\":\"{field}\",\"operator\":\"{op}\",\"values\":{values}}}]}}}}");
            }
        }

        foreach (var text in HostileStrings)
        {
            foreach (var op in new[] { "eq", "neq", "contains", "startsWith", "endsWith" })
                yield return ($"text {op} {text}", Rule(Group(Condition("customer.company", op, JsonValue.Create(text)))).ToJsonString());
            yield return ($"generic attribute key {text}", Rule(Group(Condition("customer.genericAttribute", "eq", JsonValue.Create(text), key: text))).ToJsonString());
            yield return ($"country {text}", Rule(Group(Condition("billingAddress.country", "in", JsonValue.Create(text)))).ToJsonString());
            yield return ($"generic attribute key only {text}", Rule(Group(Condition("customer.genericAttribute", "isNotEmpty", [], text))).ToJsonString());
            yield return ($"field {text}", Rule(Group(Condition(text, text, JsonValue.Create(text)))).ToJsonString());
            yield return ($"date {text}", Rule(Group(Condition("customer.registeredDate", "before", JsonValue.Create(text)))).ToJsonString());
        }
    }

    private static JsonObject Rule(JsonObject root) => new() { ["version"] = 1, ["root"] = root };

    private static JsonObject Group(params JsonNode[] children) =>
        new() { ["kind"] = "group", ["match"] = "All", ["children"] = new JsonArray(children) };

    private static JsonObject Condition(string field, string op, params JsonNode[] values) => Condition(field, op, values, null);

    private static JsonObject Condition(string field, string op, JsonNode value, string key) => Condition(field, op, [value], key);

    private static JsonObject Condition(string field, string op, JsonNode[] values, string key)
    {
        var condition = new JsonObject { ["kind"] = "condition", ["field"] = field, ["operator"] = op, ["values"] = new JsonArray(values) };
        if (key != null)
            condition["key"] = key;
        return condition;
    }

    private JsonObject Group(int depth, double hostility)
    {
        var group = new JsonObject
        {
            ["kind"] = "group",
            ["match"] = _random.Next(2) == 0 ? "All" : "Any",
            ["negate"] = _random.Next(4) == 0
        };
        var children = new JsonArray();
        var count = _random.Next(depth == 1 ? 1 : 0, 5);
        for (var i = 0; i < count; i++)
        {
            if (depth < 11 && _random.NextDouble() < 0.25)
                children.Add(Group(depth + 1, hostility));
            else
                children.Add(Condition(hostility));
        }

        group["children"] = children;
        return group;
    }

    private bool Hostile(double hostility) => _random.NextDouble() < hostility;

    private JsonObject Condition(double hostility)
    {
        var field = _fields[_random.Next(_fields.Count)];
        var op = Hostile(hostility) ? Pick(_operators) : Pick(field.Operators);
        var condition = new JsonObject
        {
            ["kind"] = Hostile(hostility / 4) ? "Condition" : "condition",
            ["field"] = Hostile(hostility) ? Pick(HostileStrings) : field.Name,
            ["operator"] = Hostile(hostility / 2) ? Pick(HostileStrings) : op
        };

        var count = op switch
        {
            RuleOperators.IsEmpty or RuleOperators.IsNotEmpty => 0,
            RuleOperators.Between or RuleOperators.BetweenDates => 2,
            RuleOperators.In or RuleOperators.NotIn or RuleOperators.AnyOf or RuleOperators.AllOf or RuleOperators.NoneOf => _random.Next(1, 6),
            _ => 1
        };
        if (Hostile(hostility))
            count = _random.Next(0, 4);

        var values = new JsonArray();
        for (var i = 0; i < count; i++)
            values.Add(Hostile(hostility) ? HostileValue() : Value(field, op));
        if (op is RuleOperators.Between or RuleOperators.BetweenDates && count == 2 && values[0] is JsonValue a && values[1] is JsonValue b)
        {
            //mostly in order, so that the range is valid
            if (string.CompareOrdinal(a.ToJsonString(), b.ToJsonString()) > 0 && _random.Next(4) != 0)
                (values[0], values[1]) = (b.DeepClone(), a.DeepClone());
        }

        condition["values"] = Hostile(hostility / 4) ? HostileValue() : values;

        if (field.HasPeriod && (field.RequiresPeriod || _random.Next(2) == 0) || Hostile(hostility))
            condition["periodDays"] = Hostile(hostility) ? HostileValue() : JsonValue.Create(_random.Next(1, 800));

        if (field.HasKey || Hostile(hostility))
        {
            condition["key"] = Hostile(hostility) ? HostileValue()
                : field.Name is RuleFields.CustomerAttributeText or RuleFields.CustomerAttributeValues
                    ? _random.Next(1, 4).ToString(CultureInfo.InvariantCulture)
                    : Pick(["VatNumber", "Phone", Pick(HostileStrings), "Gender"]);
        }

        return condition;
    }

    private JsonNode Value(RuleFieldDescriptor field, string op)
    {
        if (op is RuleOperators.InLastDays or RuleOperators.MoreThanDaysAgo)
            return JsonValue.Create(_random.Next(0, 2000));

        switch (field.DataType)
        {
            case RuleDataType.Boolean:
                return JsonValue.Create(_random.Next(2) == 0);
            case RuleDataType.Date:
                return JsonValue.Create(new DateTime(2015, 1, 1).AddDays(_random.Next(0, 5000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            case RuleDataType.Text:
                return JsonValue.Create(_random.Next(3) == 0 ? Pick(HostileStrings) : Pick(["Acme", "a", "%", "_", "o'Brien", "ACME"]));
        }

        if (field.AllowedValues is { Count: > 0 })
            return JsonValue.Create(Pick(field.AllowedValues));

        var max = Math.Min(field.MaxValue, 5000m);
        var min = Math.Max(field.MinValue, 0m);
        if (field.Name == RuleFields.SegmentMember)
            return JsonValue.Create(_random.Next(1, 5));
        if (field.IntegerOnly || _random.Next(2) == 0)
            return JsonValue.Create(_random.Next((int)min, (int)max + 1));
        return JsonValue.Create(Math.Round(min + (decimal)_random.NextDouble() * (max - min), 2));
    }

    private JsonNode HostileValue() => _random.Next(9) switch
    {
        0 => null,
        1 => new JsonObject { ["x"] = Pick(HostileStrings) },
        2 => new JsonArray(JsonValue.Create(1), JsonValue.Create("a")),
        3 => JsonValue.Create(_random.Next(2) == 0 ? double.MaxValue : -double.MaxValue),
        4 => JsonValue.Create(decimal.MaxValue),
        5 => JsonValue.Create(long.MinValue),
        6 => JsonValue.Create(_random.NextDouble() * 1000 - 500),
        7 => JsonValue.Create(new string(Pick(HostileStrings).FirstOrDefault('x'), _random.Next(300, 2000))),
        _ => JsonValue.Create(Pick(HostileStrings))
    };

    private string Mutate(string json)
    {
        var chars = new StringBuilder(json);
        var edits = _random.Next(1, 4);
        for (var i = 0; i < edits && chars.Length > 0; i++)
        {
            var at = _random.Next(chars.Length);
            switch (_random.Next(4))
            {
                case 0:
                    chars.Remove(at, 1);
                    break;
                case 1:
                    chars.Insert(at, Pick(["{", "}", "[", "]", ",", ":", "\"", "\\", "1e999", "null", "'", "--"]));
                    break;
                case 2:
                    chars[at] = (char)_random.Next(0x20, 0x7f);
                    break;
                default:
                    chars.Insert(at, chars.ToString(at, Math.Min(40, chars.Length - at)));
                    break;
            }
        }

        return chars.ToString();
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
