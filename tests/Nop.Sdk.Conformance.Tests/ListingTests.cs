namespace Nop.Sdk.Conformance.Tests;

/// <summary>The listing is read as documented, and every line's type and member name can be read back from it.</summary>
[TestFixture]
public class ListingTests
{
    private ApiListing _listing;

    [OneTimeSetUp]
    public void Load() => _listing = ApiListing.Load();

    [Test]
    public void HasTheDocumentedLineCountInListingOrder()
    {
        var lines = _listing.Lines.Select(line => line.ToString()).ToList();

        Assert.That(lines, Has.Count.EqualTo(13713));
        Assert.That(lines, Is.EqualTo(lines.Order(StringComparer.Ordinal)));
    }

    [Test]
    public void EveryMemberLineBelongsToATypeLineOfItsAssembly()
    {
        var types = _listing.Lines.Where(line => line.IsType)
            .Select(line => (line.Assembly, ApiLineParser.TypeKey(line)))
            .ToHashSet();

        var orphans = _listing.Lines.Where(line => !line.IsType)
            .Where(line => !types.Contains((line.Assembly, ApiLineParser.TypeKey(line))))
            .Select(line => $"{line} -> {ApiLineParser.TypeKey(line)}")
            .ToList();

        Assert.That(orphans, Is.Empty);
    }

    [TestCase("public class Nop.Core.Domain.Customers.Customer : Nop.Core.BaseEntity, Nop.Core.Domain.Common.ISoftDeletedEntity",
        "Nop.Core.Domain.Customers.Customer")]
    [TestCase("public interface Nop.Data.IRepository<TEntity> where TEntity : Nop.Core.BaseEntity", "Nop.Data.IRepository<TEntity>")]
    [TestCase("public interface Nop.Core.IVariant<in TIn, out TOut>", "Nop.Core.IVariant<TIn, TOut>")]
    [TestCase("protected delegate Nop.Web.Framework.Mvc.ModelBinding.Binders.InvariantNumberModelBinder.TryParseNumber<T> where T : struct",
        "Nop.Web.Framework.Mvc.ModelBinding.Binders.InvariantNumberModelBinder.TryParseNumber<T>")]
    public void ReadsTheDeclaredType(string typeLine, string expected)
    {
        Assert.That(ApiLineParser.DeclaredType(typeLine), Is.EqualTo(expected));
    }

    [TestCase("System.Threading.Tasks.Task<TEntity> Nop.Data.IRepository<TEntity>.GetByIdAsync(int? id, System.Func<Nop.Core.Caching.ICacheKeyService, Nop.Core.Caching.CacheKey> getCacheKey = null)",
        "Nop.Data.IRepository<TEntity>", "GetByIdAsync")]
    [TestCase("public int Nop.Core.Domain.Customers.Customer.VendorId { get; set; }", "Nop.Core.Domain.Customers.Customer", "VendorId")]
    [TestCase("Nop.Core.Domain.Orders.OrderStatus.Pending = 10", "Nop.Core.Domain.Orders.OrderStatus", "Pending")]
    [TestCase("protected Nop.Services.Plugins.BasePlugin.BasePlugin()", "Nop.Services.Plugins.BasePlugin", "BasePlugin")]
    [TestCase("public virtual string Nop.Services.Orders.CustomValues.this[string name] { get; set; }", "Nop.Services.Orders.CustomValues", "this")]
    [TestCase("public static bool Nop.Services.Common.Pdf.AddressItem.operator ==(Nop.Services.Common.Pdf.AddressItem left, Nop.Services.Common.Pdf.AddressItem right)",
        "Nop.Services.Common.Pdf.AddressItem", "operator ==")]
    [TestCase("public static System.Threading.Tasks.Task<System.Collections.Generic.List<TSource>> System.Linq.AsyncIQueryableExtensions.ToListAsync<TSource>(this System.Linq.IQueryable<TSource> source)",
        "System.Linq.AsyncIQueryableExtensions", "ToListAsync")]
    [TestCase("public (int a, string b) Nop.Core.Tuples.Pair(int x)", "Nop.Core.Tuples", "Pair")]
    [TestCase("public const string Nop.Core.NopDefaults.Name = \"a (b) = c\"", "Nop.Core.NopDefaults", "Name")]
    public void ReadsTheMembersTypeAndName(string memberLine, string type, string name)
    {
        Assert.That(ApiLineParser.Member(memberLine), Is.EqualTo((type, name)));
    }
}
