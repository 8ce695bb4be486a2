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
}
