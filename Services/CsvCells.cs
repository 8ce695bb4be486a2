using System.Text;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Writing and reading CSV cells
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

    /// <summary>
    /// The first cell of a CSV line (comma or semicolon separated, optionally quoted), trimmed
    /// </summary>
    public static string FirstCell(string line)
    {
        if (string.IsNullOrEmpty(line))
            return string.Empty;

        line = line.TrimStart('\uFEFF').Trim();
        if (!line.StartsWith('"'))
        {
            var end = line.IndexOfAny([',', ';']);
            return (end < 0 ? line : line[..end]).Trim();
        }

        var cell = new StringBuilder();
        for (var i = 1; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                    continue;
                }

                break;
            }

            cell.Append(line[i]);
        }

        return cell.ToString().Trim();
    }
}
