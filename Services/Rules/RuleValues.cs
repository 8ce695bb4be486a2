using System.Globalization;
using System.Text.Json;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Reads the values of conditions (the same way for the validator and the query builder)
/// </summary>
public static class RuleValues
{
    public const string DateFormat = "yyyy-MM-dd";

    public static bool TryGetDecimal(JsonElement value, out decimal number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out number);
    }

    public static bool TryGetInt(JsonElement value, out int number)
    {
        number = 0;
        if (!TryGetDecimal(value, out var d) || d != decimal.Truncate(d) || d < int.MinValue || d > int.MaxValue)
            return false;

        number = (int)d;
        return true;
    }

    /// <summary>
    /// A date as yyyy-MM-dd (a UTC day), between the years 1900 and 2200
    /// </summary>
    public static bool TryGetDate(JsonElement value, out DateTime date)
    {
        date = default;
        return TryGetString(value, out var text)
            && DateTime.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date)
            && date.Year is >= 1900 and <= 2200;
    }

    public static bool TryGetBoolean(JsonElement value, out bool flag)
    {
        flag = value.ValueKind == JsonValueKind.True;
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
    }

    public static bool TryGetString(JsonElement value, out string text)
    {
        text = null;
        if (value.ValueKind != JsonValueKind.String)
            return false;

        try
        {
            text = value.GetString();
        }
        catch (InvalidOperationException)
        {
            //well-formed JSON, but no text: a lone UTF-16 surrogate ("\ud800")
        }

        return text != null;
    }

    public static decimal Decimal(JsonElement value) => value.GetDecimal();

    public static int Int(JsonElement value) => (int)value.GetDecimal();

    public static DateTime Date(JsonElement value)
    {
        TryGetDate(value, out var date);
        return DateTime.SpecifyKind(date.Date, DateTimeKind.Utc);
    }

    public static List<int> Ints(IEnumerable<JsonElement> values) => values.Select(Int).Distinct().ToList();

    public static List<string> Strings(IEnumerable<JsonElement> values) => values.Select(v => v.GetString()).Distinct().ToList();

    public static JsonElement Element(object value) => JsonSerializer.SerializeToElement(value);
}
