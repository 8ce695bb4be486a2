using System.Text;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// One row of an email list that could not be read
/// </summary>
/// <param name="LineNumber">1-based line of the file</param>
/// <param name="Reason">Why the row was refused</param>
public record CsvRowError(int LineNumber, string Reason);

/// <summary>
/// The emails of an email list, in file order without duplicates (compared without case), and the rows refused
/// </summary>
public record EmailCsvParseResult(IReadOnlyList<string> Emails, IReadOnlyList<CsvRowError> BadRows, bool Truncated);

/// <summary>
/// Reads a list of emails from CSV: UTF-8 with or without BOM or UTF-16 with BOM, ';' or ',' (or tab) separated, quoted fields
/// with doubled quotes, an optional header line; the email is the column named "email" when there is a header,
/// the first column otherwise
/// </summary>
public class EmailCsvParser
{
    public const int MaxFileBytes = 10 * 1024 * 1024;
    public const int MaxRows = 100_000;
    public const int MaxEmailLength = 254;

    public virtual async Task<EmailCsvParseResult> ParseAsync(Stream stream, int maxRows = MaxRows)
    {
        ArgumentNullException.ThrowIfNull(stream);

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
                throw new InvalidDataException($"The file is larger than {MaxFileBytes / (1024 * 1024)} MB");
            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var text = ByteOrderMarkEncoding(bytes).GetString(bytes);
        return Parse(text, maxRows);
    }

    /// <summary>
    /// UTF-16 when the file starts with its byte order mark (Excel's "Unicode text"), else UTF-8
    /// </summary>
    protected static Encoding ByteOrderMarkEncoding(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0xFF, 0xFE, ..] => new UnicodeEncoding(false, false, false),
        [0xFE, 0xFF, ..] => new UnicodeEncoding(true, false, false),
        _ => new UTF8Encoding(false, false)
    };

    public virtual EmailCsvParseResult Parse(string text, int maxRows = MaxRows)
    {
        text ??= string.Empty;
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];

        var separator = DetectSeparator(text);
        var emails = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var badRows = new List<CsvRowError>();
        var emailColumn = 0;
        var first = true;
        var rows = 0;
        var truncated = false;

        foreach (var (lineNumber, fields, error) in ReadRecords(text, separator))
        {
            if (error != null)
            {
                badRows.Add(new CsvRowError(lineNumber, error));
                continue;
            }

            if (fields.All(string.IsNullOrWhiteSpace))
                continue;

            if (first)
            {
                first = false;
                var header = fields.FindIndex(field => field.Trim().Equals("email", StringComparison.OrdinalIgnoreCase)
                    || field.Trim().Equals("e-mail", StringComparison.OrdinalIgnoreCase));
                if (header >= 0)
                {
                    emailColumn = header;
                    continue;
                }

                //a first line without any address is a header whose email column is the first
                if (!fields.Any(field => field.Contains('@')))
                    continue;
            }

            if (++rows > maxRows)
            {
                truncated = true;
                break;
            }

            if (emailColumn >= fields.Count)
            {
                badRows.Add(new CsvRowError(lineNumber, "The row has no email column"));
                continue;
            }

            var email = fields[emailColumn].Trim();
            if (!IsEmail(email))
            {
                badRows.Add(new CsvRowError(lineNumber, $"'{Shorten(email)}' is not an email address"));
                continue;
            }

            if (seen.Add(email))
                emails.Add(email);
        }

        return new EmailCsvParseResult(emails, badRows, truncated);
    }

    protected static string Shorten(string value) => value.Length <= 60 ? value : value[..57] + "...";

    protected static bool IsEmail(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxEmailLength)
            return false;

        var at = value.IndexOf('@');
        if (at <= 0 || at != value.LastIndexOf('@') || at == value.Length - 1)
            return false;

        var domain = value[(at + 1)..];
        return domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.')
            && !value.Any(character => char.IsWhiteSpace(character) || char.IsControl(character) || character is ',' or ';' or '"' or '<' or '>');
    }

    /// <summary>
    /// ';' when the first line has more semicolons than commas (outside quotes), tab likewise, else ','
    /// </summary>
    protected static char DetectSeparator(string text)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        var quoted = false;
        foreach (var character in text)
        {
            if (character == '"')
                quoted = !quoted;
            else if (!quoted && character is '\n' or '\r')
                break;
            else if (!quoted && character == ',')
                commas++;
            else if (!quoted && character == ';')
                semicolons++;
            else if (!quoted && character == '\t')
                tabs++;
        }

        if (semicolons > commas && semicolons >= tabs)
            return ';';

        return tabs > commas ? '\t' : ',';
    }

    /// <summary>
    /// The records of the text with the line each starts on; a record with a broken quote is an error
    /// </summary>
    protected static IEnumerable<(int LineNumber, List<string> Fields, string Error)> ReadRecords(string text, char separator)
    {
        var position = 0;
        var line = 1;
        while (position < text.Length)
        {
            var startLine = line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            var wasQuoted = false;
            //whether the field so far is only white space, kept as it grows: a quote there opens a quoted field
            var blank = true;
            string error = null;
            var endOfRecord = false;

            while (position < text.Length && !endOfRecord)
            {
                var character = text[position];
                if (quoted)
                {
                    if (character == '"')
                    {
                        if (position + 1 < text.Length && text[position + 1] == '"')
                        {
                            field.Append('"');
                            position += 2;
                            continue;
                        }

                        quoted = false;
                        position++;
                        continue;
                    }

                    if (character == '\n')
                        line++;
                    field.Append(character);
                    position++;
                    continue;
                }

                switch (character)
                {
                    case '"' when blank && !wasQuoted:
                        field.Clear();
                        quoted = true;
                        wasQuoted = true;
                        break;
                    case '"':
                        error ??= "A quote inside a field that is not quoted";
                        break;
                    case '\r':
                        break;
                    case '\n':
                        line++;
                        endOfRecord = true;
                        break;
                    default:
                        if (character == separator)
                        {
                            fields.Add(field.ToString());
                            field.Clear();
                            wasQuoted = false;
                            blank = true;
                        }
                        else if (wasQuoted && !char.IsWhiteSpace(character))
                            error ??= "Text after the closing quote of a field";
                        else
                        {
                            field.Append(character);
                            blank &= char.IsWhiteSpace(character);
                        }
                        break;
                }

                position++;
            }

            if (quoted)
                error ??= "A quoted field is not closed";
            fields.Add(field.ToString());

            yield return (startLine, fields, error);
        }
    }
}
