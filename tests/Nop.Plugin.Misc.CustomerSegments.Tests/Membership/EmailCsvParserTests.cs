using System.Text;
using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

public class EmailCsvParserTests
{
    private readonly EmailCsvParser _parser = new();

    [Test]
    public void ReadsTheFirstColumnWithoutAHeader()
    {
        var result = _parser.Parse("ann@example.com,Ann\r\nbob@example.com,Bob\r\n");
        Assert.That(result.Emails, Is.EqualTo(new[] { "ann@example.com", "bob@example.com" }));
        Assert.That(result.BadRows, Is.Empty);
    }

    [Test]
    public void FindsTheEmailColumnByItsHeaderWithEitherSeparator()
    {
        Assert.That(_parser.Parse("name,email\nAnn,ann@example.com\n").Emails, Is.EqualTo(new[] { "ann@example.com" }));
        Assert.That(_parser.Parse("name;E-mail\nAnn;ann@example.com").Emails, Is.EqualTo(new[] { "ann@example.com" }));
        Assert.That(_parser.Parse("\uFEFFemail\nann@example.com").Emails, Is.EqualTo(new[] { "ann@example.com" }));
    }

    [Test]
    public void QuotedFieldsKeepSeparatorsQuotesAndLineBreaks()
    {
        var result = _parser.Parse("email,note\n\"ann@example.com\",\"says \"\"hi\"\", then; leaves\nlater\"\nbob@example.com,x\n");
        Assert.That(result.Emails, Is.EqualTo(new[] { "ann@example.com", "bob@example.com" }));
        Assert.That(result.BadRows, Is.Empty);
    }

    [Test]
    public void BadRowsAreReportedWithTheirLineAndTheRestIsRead()
    {
        var result = _parser.Parse("email\nann@example.com\nnot an email\nbo\"b@example.com\n\"cid@example.com\"x\nann@EXAMPLE.com\ndan@example.com\n\"open@example.com");
        Assert.That(result.Emails, Is.EqualTo(new[] { "ann@example.com", "dan@example.com" }));
        Assert.That(result.BadRows.Select(row => row.LineNumber), Is.EqualTo(new[] { 3, 4, 5, 8 }));
    }

    [Test]
    public void StopsAtTheRowLimit()
    {
        var text = string.Join("\n", Enumerable.Range(1, 10).Select(i => $"user{i}@example.com"));
        var result = _parser.Parse(text, maxRows: 4);
        Assert.That(result.Emails, Has.Count.EqualTo(4));
        Assert.That(result.Truncated, Is.True);
    }

    /// <summary>
    /// Stray quotes inside a long unquoted field (a wrong file, or one made to stall the import): each quote copied
    /// the whole field so far, which made a file under the size limit take hours of one processor
    /// </summary>
    [Test, CancelAfter(60_000)]
    public void StrayQuotesInALongFieldAreReadInLinearTime()
    {
        var text = new string('a', 400_000) + new string('"', 400_000) + "\nann@example.com\n";
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var result = _parser.Parse(text);

        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(result.Emails, Is.EqualTo(new[] { "ann@example.com" }));
        Assert.That(result.BadRows.Select(row => row.LineNumber), Is.EqualTo(new[] { 1 }));
    }

    /// <summary>
    /// Excel's "Unicode text" is UTF-16 with a byte order mark and tab separated: read as UTF-8, every row came out
    /// with a NUL between its characters and was refused
    /// </summary>
    [Test]
    public async Task ReadsAUtf16FileByItsByteOrderMark()
    {
        const string text = "Email\tName\r\nann@example.com\tAnn\r\nbob@example.com\tBob\r\n";
        foreach (var encoding in new[] { Encoding.Unicode, Encoding.BigEndianUnicode })
        {
            var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(text)).ToArray();

            var result = await _parser.ParseAsync(new MemoryStream(bytes));

            Assert.That(result.Emails, Is.EqualTo(new[] { "ann@example.com", "bob@example.com" }), encoding.EncodingName);
            Assert.That(result.BadRows, Is.Empty, encoding.EncodingName);
        }
    }

    [Test]
    public void RefusesAFileOverTheSizeLimit()
    {
        var big = new MemoryStream(Encoding.UTF8.GetBytes(new string('a', EmailCsvParser.MaxFileBytes + 1)));
        Assert.ThrowsAsync<InvalidDataException>(() => _parser.ParseAsync(big));
    }
}
