namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Writing CSV cells
/// </summary>
public static class CsvCells
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>
    /// The cell as CSV text: a value a spreadsheet would run as a formula gets a leading apostrophe,
    /// and a value with separators, quotes or line breaks is quoted
    /// </summary>
    public static string Escape(string value)
    {
        if (string.IsNullOrEmpty(value))
            return string.Empty;

        if (Array.IndexOf(FormulaStarts, value[0]) >= 0)
            value = "'" + value;

        return value.IndexOfAny([',', ';', '"', '\n', '\r', '\t']) >= 0
            ? "\"" + value.Replace("\"", "\"\"") + "\""
            : value;
    }

    public static string Line(params string[] cells) => string.Join(',', cells.Select(Escape));
}
