namespace Nop.Sdk.Conformance.Tests;

/// <summary>The check can fail: an assembly compiled here with known mistakes is caught, line by line.</summary>
[TestFixture]
public class CheckerSelfTests
{
    private const string Source = """
        namespace Nop.Core
        {
            public abstract class BaseEntity
            {
                public int Id { get; set; }
            }

            public interface IWebHelper
            {
                string GetStoreLocation(bool? useSsl = null);

                // nopCommerce's default is lowercaseUrl = false
                string GetThisPageUrl(bool includeQueryString, bool? useSsl = null, bool lowercaseUrl = true);

                // nopCommerce's url is a string
                string RemoveQueryString(System.Uri url, string key, string value = null);
            }

            // no such type in nopCommerce
            public interface ISegmentAwareWebHelper
            {
            }
        }

        namespace Nop.Core.Domain.Orders
        {
            public enum OrderStatus
            {
                Pending = 10,
                Complete = 30
            }

            public class OrderNote : Nop.Core.BaseEntity
            {
                public int OrderId { get; set; }

                // nopCommerce's Note is a string
                public int Note { get; set; }
            }
        }
        """;

    private ConformanceChecker _checker;
    private IReadOnlyList<ApiLine> _printed;

    [OneTimeSetUp]
    public void CompileAndPrint()
    {
        _checker = new ConformanceChecker(ApiListing.Load());
        _printed = InMemoryAssembly.Print(InMemoryAssembly.Compile("Nop.Core", Source));
    }

    [Test]
    public void ReportsExactlyTheInventedTypeAndTheWrongSignatures()
    {
        Assert.That(_checker.Unlisted(_printed).Select(line => line.ToString()), Is.EquivalentTo(new[]
        {
            "T\tNop.Core\tpublic interface Nop.Core.ISegmentAwareWebHelper",
            "M\tNop.Core\tstring Nop.Core.IWebHelper.GetThisPageUrl(bool includeQueryString, bool? useSsl = null, bool lowercaseUrl = true)",
            "M\tNop.Core\tstring Nop.Core.IWebHelper.RemoveQueryString(System.Uri url, string key, string value = null)",
            "M\tNop.Core\tpublic int Nop.Core.Domain.Orders.OrderNote.Note { get; set; }"
        }));
    }

    [Test]
    public void AcceptsTheCorrectDeclarations()
    {
        var accepted = _printed.Where(line => _checker.Listing.Contains(line)).Select(line => line.ToString());

        Assert.That(accepted, Is.EquivalentTo(new[]
        {
            "M\tNop.Core\tNop.Core.Domain.Orders.OrderStatus.Complete = 30",
            "M\tNop.Core\tNop.Core.Domain.Orders.OrderStatus.Pending = 10",
            "M\tNop.Core\tprotected Nop.Core.BaseEntity.BaseEntity()",
            "M\tNop.Core\tpublic Nop.Core.Domain.Orders.OrderNote.OrderNote()",
            "M\tNop.Core\tpublic int Nop.Core.BaseEntity.Id { get; set; }",
            "M\tNop.Core\tpublic int Nop.Core.Domain.Orders.OrderNote.OrderId { get; set; }",
            "M\tNop.Core\tstring Nop.Core.IWebHelper.GetStoreLocation(bool? useSsl = null)",
            "T\tNop.Core\tpublic abstract class Nop.Core.BaseEntity",
            "T\tNop.Core\tpublic class Nop.Core.Domain.Orders.OrderNote : Nop.Core.BaseEntity",
            "T\tNop.Core\tpublic enum Nop.Core.Domain.Orders.OrderStatus",
            "T\tNop.Core\tpublic interface Nop.Core.IWebHelper"
        }));
    }

    [Test]
    public void ExplainsEachMistakeWithTheRealDeclaration()
    {
        var report = _checker.Explain(_checker.Unlisted(_printed));

        Assert.Multiple(() =>
        {
            Assert.That(report, Does.StartWith("4 SDK line(s) are not in nopCommerce-4.90.3.api.txt"));
            Assert.That(report, Does.Contain(
                "listing: M\tNop.Core\tstring Nop.Core.IWebHelper.GetThisPageUrl(bool includeQueryString, bool? useSsl = null, bool lowercaseUrl = false)"));
            Assert.That(report, Does.Contain("listing: M\tNop.Core\tstring Nop.Core.IWebHelper.RemoveQueryString(string url, string key, string value = null)"));
            Assert.That(report, Does.Contain("listing: M\tNop.Core\tpublic string Nop.Core.Domain.Orders.OrderNote.Note { get; set; }"));
            Assert.That(report, Does.Contain(
                "SDK:     T\tNop.Core\tpublic interface Nop.Core.ISegmentAwareWebHelper\n  listing: nothing of that name in nopCommerce 4.90.3"));
        });
    }
}
