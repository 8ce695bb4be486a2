using Microsoft.CodeAnalysis;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// The printer prints known real symbols exactly as the listing has them: source compiled here into stand-ins for
/// Nop.Core, Nop.Data and Nop.Services, read back as metadata.
/// </summary>
[TestFixture]
public class PrinterSelfTests
{
    private const string CoreSource = """
        namespace Nop.Core
        {
            public abstract class BaseEntity { public int Id { get; set; } }
        }
        namespace Nop.Core.Caching
        {
            public class CacheKey { public CacheKey(string key) { } }
            public interface ICacheKeyService { }
        }
        namespace Nop.Core.Domain.Common
        {
            public interface ISoftDeletedEntity { bool Deleted { get; set; } }
        }
        namespace Nop.Core.Domain.Customers
        {
            public class Customer : Nop.Core.BaseEntity, Nop.Core.Domain.Common.ISoftDeletedEntity
            {
                public int VendorId { get; set; }
                public bool Deleted { get; set; }
            }
        }
        namespace Nop.Core.Domain.Orders
        {
            public enum OrderStatus { Pending = 10 }
        }
        namespace Nop.Core.Events
        {
            public class EntityDeletedEvent<T> where T : Nop.Core.BaseEntity { public EntityDeletedEvent(T entity) { } }
            public class EntityInsertedEvent<T> where T : Nop.Core.BaseEntity { public EntityInsertedEvent(T entity) { } }
            public class EntityUpdatedEvent<T> where T : Nop.Core.BaseEntity { public EntityUpdatedEvent(T entity) { } }
        }
        """;

    private const string DataSource = """
        using System;
        using System.Linq;
        using System.Linq.Expressions;
        using System.Threading.Tasks;
        using Nop.Core;
        using Nop.Core.Caching;

        namespace Nop.Data
        {
            public interface IRepository<TEntity> where TEntity : BaseEntity
            {
                Task<TEntity> GetByIdAsync(int? id, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true, bool useShortTermCache = false);
                IQueryable<TEntity> Table { get; }
            }
        }
        namespace System.Linq
        {
            public static class AsyncIQueryableExtensions
            {
                public static Task<bool> AnyAsync<TSource>(this IQueryable<TSource> source, Expression<Func<TSource, bool>> predicate = null) => null;
            }
        }
        """;

    private const string ServicesSource = """
        using System.Threading.Tasks;
        using Nop.Core;
        using Nop.Core.Events;

        namespace Nop.Services.Events
        {
            public interface IConsumer<T> { Task HandleEventAsync(T eventMessage); }
        }
        namespace Nop.Services.Caching
        {
            public abstract class CacheEventConsumer<TEntity> : Nop.Services.Events.IConsumer<EntityInsertedEvent<TEntity>>,
                Nop.Services.Events.IConsumer<EntityUpdatedEvent<TEntity>>, Nop.Services.Events.IConsumer<EntityDeletedEvent<TEntity>>
                where TEntity : BaseEntity
            {
                public virtual Task HandleEventAsync(EntityInsertedEvent<TEntity> eventMessage) => null;
                public virtual Task HandleEventAsync(EntityUpdatedEvent<TEntity> eventMessage) => null;
                public virtual Task HandleEventAsync(EntityDeletedEvent<TEntity> eventMessage) => null;
            }
        }
        """;

    private static readonly string[] RealLines =
    [
        "T\tNop.Core\tpublic abstract class Nop.Core.BaseEntity",
        "M\tNop.Core\tprotected Nop.Core.BaseEntity.BaseEntity()",
        "T\tNop.Core\tpublic class Nop.Core.Domain.Customers.Customer : Nop.Core.BaseEntity, Nop.Core.Domain.Common.ISoftDeletedEntity",
        "M\tNop.Core\tpublic int Nop.Core.Domain.Customers.Customer.VendorId { get; set; }",
        "M\tNop.Core\tbool Nop.Core.Domain.Common.ISoftDeletedEntity.Deleted { get; set; }",
        "M\tNop.Core\tNop.Core.Domain.Orders.OrderStatus.Pending = 10",
        "T\tNop.Core\tpublic class Nop.Core.Events.EntityDeletedEvent<T> where T : Nop.Core.BaseEntity",
        "T\tNop.Data\tpublic interface Nop.Data.IRepository<TEntity> where TEntity : Nop.Core.BaseEntity",
        "M\tNop.Data\tSystem.Threading.Tasks.Task<TEntity> Nop.Data.IRepository<TEntity>.GetByIdAsync(int? id, System.Func<Nop.Core.Caching.ICacheKeyService, Nop.Core.Caching.CacheKey> getCacheKey = null, bool includeDeleted = true, bool useShortTermCache = false)",
        "M\tNop.Data\tSystem.Linq.IQueryable<TEntity> Nop.Data.IRepository<TEntity>.Table { get; }",
        "M\tNop.Data\tpublic static System.Threading.Tasks.Task<bool> System.Linq.AsyncIQueryableExtensions.AnyAsync<TSource>(this System.Linq.IQueryable<TSource> source, System.Linq.Expressions.Expression<System.Func<TSource, bool>> predicate = null)",
        "T\tNop.Services\tpublic interface Nop.Services.Events.IConsumer<T>",
        "M\tNop.Services\tSystem.Threading.Tasks.Task Nop.Services.Events.IConsumer<T>.HandleEventAsync(T eventMessage)",
        "T\tNop.Services\tpublic abstract class Nop.Services.Caching.CacheEventConsumer<TEntity> : Nop.Services.Events.IConsumer<Nop.Core.Events.EntityDeletedEvent<TEntity>>, Nop.Services.Events.IConsumer<Nop.Core.Events.EntityInsertedEvent<TEntity>>, Nop.Services.Events.IConsumer<Nop.Core.Events.EntityUpdatedEvent<TEntity>> where TEntity : Nop.Core.BaseEntity",
        "M\tNop.Services\tpublic virtual System.Threading.Tasks.Task Nop.Services.Caching.CacheEventConsumer<TEntity>.HandleEventAsync(Nop.Core.Events.EntityInsertedEvent<TEntity> eventMessage)"
    ];

    private ApiListing _listing;
    private List<string> _printed;

    [OneTimeSetUp]
    public void CompileAndPrint()
    {
        _listing = ApiListing.Load();
        var core = InMemoryAssembly.Compile("Nop.Core", CoreSource);
        var data = InMemoryAssembly.Compile("Nop.Data", DataSource, core);
        var services = InMemoryAssembly.Compile("Nop.Services", ServicesSource, core);
        _printed = new[]
            {
                InMemoryAssembly.Print(core),
                InMemoryAssembly.Print(data, core),
                InMemoryAssembly.Print(services, core)
            }
            .SelectMany(lines => lines.Select(line => line.ToString()))
            .ToList();
    }

    [TestCaseSource(nameof(RealLines))]
    public void PrintsARealSymbolAsTheListingDoes(string realLine)
    {
        Assert.That(_listing.Contains(ApiLine.Parse(realLine)), Is.True, "the expectation itself is a listing line");
        Assert.That(_printed, Does.Contain(realLine));
    }

    [Test]
    public void EverythingPrintedFromTheseRealDeclarationsIsListed()
    {
        Assert.That(_printed.Where(line => !_listing.Contains(ApiLine.Parse(line))), Is.Empty);
    }

    [Test]
    public void PrintsInListingOrderWithoutDuplicates()
    {
        var core = InMemoryAssembly.Print(InMemoryAssembly.Compile("Nop.Core", CoreSource)).Select(line => line.ToString()).ToList();

        Assert.That(core, Is.EqualTo(core.Order(StringComparer.Ordinal).Distinct()));
    }
}
