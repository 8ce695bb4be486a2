using System.Text;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Tests.Admin;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// The member import refuses oversized files before changing anything, never takes formula-looking or broken rows
/// as emails, and the export neutralizes formula-looking cells
/// </summary>
public class CsvHostileInputTests : DatabaseTestBase
{
    private static readonly string[] _formulas = ["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"];

    private Segment _static;
    private Customer _alice;

    public CsvHostileInputTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();
        var data = new AdminTestData(Shop);
        _alice = await data.CustomerAsync("alice@example.com", firstName: "Alice");
        for (var i = 0; i < _formulas.Length; i++)
            await data.CustomerAsync($"f{i}@example.com", firstName: _formulas[i], lastName: _formulas[^(i + 1)]);
        _static = await data.SegmentAsync("Hand-picked", SegmentType.Static);
    }

    private async Task<int> MembershipRowsAsync() => await Repository<SegmentMembership>().Table.CountAsync();

    [Test]
    public async Task AnImportOverTheLimitIsRefusedAndChangesNothing()
    {
        //the import must stop before it writes or re-evaluates anything
        var reevaluation = new Mock<ISegmentReevaluationService>(MockBehavior.Strict);
        var cache = new Mock<ISegmentCacheInvalidator>(MockBehavior.Strict);
        var service = new StaticSegmentService(new EmailCsvParser(), DataProvider, Repository<Customer>(), Repository<SegmentMembership>(),
            cache.Object, reevaluation.Object);
        var before = await MembershipRowsAsync();

        //a valid first line, then more than the limit: seekable and streamed (length unknown) inputs
        var text = new StringBuilder("alice@example.com\n");
        while (text.Length <= EmailCsvParser.MaxFileBytes)
            text.Append("nobody@example.com\n");
        var bytes = Encoding.UTF8.GetBytes(text.ToString());

        Assert.ThrowsAsync<InvalidDataException>(() => service.ImportEmailsAsync(_static, new MemoryStream(bytes)));
        Assert.ThrowsAsync<InvalidDataException>(() => service.ImportEmailsAsync(_static, new UnseekableStream(bytes)));
        //one line with no end
        Assert.ThrowsAsync<InvalidDataException>(() => service.ImportEmailsAsync(_static,
            new UnseekableStream(Encoding.UTF8.GetBytes(new string('a', EmailCsvParser.MaxFileBytes + 10)))));

        Assert.That(await MembershipRowsAsync(), Is.EqualTo(before));
        reevaluation.VerifyNoOtherCalls();
        cache.VerifyNoOtherCalls();
    }

    [Test]
    public void FormulaLookingAndBrokenRowsAreReportedNotTakenAsEmails()
    {
        var csv = "Email\n" + string.Join("\n", _formulas.Select(f => "\"" + f.Replace("\"", "\"\"") + "\"")) + "\n" +
                  "=HYPERLINK(\"http://evil\",\"alice@example.com\")\n" +
                  "alice@example.com'); DROP TABLE \"Customer\";--\n" +
                  "\u0000\u0001\n" +
                  new string('x', 5000) + "@example.com\n" +
                  "alice@example.com\n";

        var result = new EmailCsvParser().Parse(csv);

        Assert.That(result.Emails, Is.EqualTo(new[] { "alice@example.com" }));
        Assert.That(result.BadRows, Has.Count.GreaterThanOrEqualTo(_formulas.Length + 3));
    }

    [Test]
    public async Task ExportNeutralizesEveryFormulaLookingCell()
    {
        var service = new SegmentMemberCsvService(Repository<Customer>(), Repository<SegmentMembership>());
        var data = new AdminTestData(Shop);
        var export = await data.SegmentAsync("Export", SegmentType.Static);
        foreach (var customer in await Repository<Customer>().Table.ToListAsync())
            await data.MembershipAsync(export.Id, customer.Id, new DateTime(2026, 1, 1));

        using var output = new MemoryStream();
        await service.ExportMembersAsync(export, output);
        var text = Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF');

        foreach (var formula in _formulas)
        {
            var unquoted = "'" + formula;
            Assert.That(text.Contains(unquoted) || text.Contains("\"" + unquoted.Replace("\"", "\"\"") + "\""), Is.True, formula);
        }

        //no cell of any line starts with a formula character
        foreach (var cell in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).SelectMany(SplitCells))
            Assert.That(cell.Length == 0 || "=+-@\t\r".IndexOf(cell[0]) < 0, Is.True, cell);
    }

    private static IEnumerable<string> SplitCells(string line)
    {
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                    quoted = false;
                else
                    cell.Append(c);
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
            {
                yield return cell.ToString();
                cell.Clear();
            }
            else
                cell.Append(c);
        }

        yield return cell.ToString();
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
