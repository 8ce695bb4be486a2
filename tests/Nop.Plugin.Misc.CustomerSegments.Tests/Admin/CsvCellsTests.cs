using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

public class CsvCellsTests
{
    [TestCase("=SUM(A1:A2)", "'=SUM(A1:A2)")]
    [TestCase("+1", "'+1")]
    [TestCase("-1", "'-1")]
    [TestCase("@cmd", "'@cmd")]
    [TestCase("\tx", "\"'\tx\"")]
    [TestCase("\rx", "\"'\rx\"")]
    [TestCase("plain", "plain")]
    [TestCase("a,b", "\"a,b\"")]
    [TestCase("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [TestCase("=1,2", "\"'=1,2\"")]
    [TestCase("", "")]
    [TestCase(null, "")]
    public void CellsAreNeutralizedAndQuoted(string value, string expected)
    {
        Assert.That(CsvCells.Escape(value), Is.EqualTo(expected));
    }

    [TestCase("a@example.com", "a@example.com")]
    [TestCase("  a@example.com ;x", "a@example.com")]
    [TestCase("a@example.com,Ann", "a@example.com")]
    [TestCase("\"a,b@example.com\",x", "a,b@example.com")]
    [TestCase("\"say \"\"hi\"\"\"", "say \"hi\"")]
    [TestCase("\uFEFFa@example.com", "a@example.com")]
    [TestCase("", "")]
    public void TheFirstCellIsRead(string line, string expected)
    {
        Assert.That(CsvCells.FirstCell(line), Is.EqualTo(expected));
    }
}
