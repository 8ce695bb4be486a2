using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Data;

public class NopSchemaTests : DatabaseTestBase
{
    public NopSchemaTests(DatabaseEngine engine) : base(engine)
    {
    }

    //every nopCommerce table, and the plugin's
    protected override Task CreateSchemaAsync()
    {
        NopSchema.CreateAllTables(Database);
        Shop.PluginMigrations().Up();
        return Task.CompletedTask;
    }

    [Test]
    public async Task EveryListedTableExistsWithAllItsColumns()
    {
        var catalog = new DatabaseCatalog(Database);
        var tables = await catalog.GetTablesAsync();

        Assert.That(tables, Is.SupersetOf(NopTableListing.Default.Tables.Select(t => t.TableName)));

        foreach (var name in new[] { "Customer", "Order", "Customer_CustomerRole_Mapping", "GenericAttribute" })
        {
            var listed = NopTableListing.Default.Get(name);
            var columns = await catalog.GetColumnsAsync(listed.TableName);
            Assert.That(columns.Select(c => c.Name), Is.EquivalentTo(listed.StoredColumns.Select(c => c.Name)), name);
            Assert.That(columns.Where(c => c.IsNullable).Select(c => c.Name),
                Is.EquivalentTo(listed.StoredColumns.Where(c => c.IsNullable && listed.CompositeKey?.Contains(c.Name) != true).Select(c => c.Name)), name);
        }

        //as in nopCommerce, the customer-role mapping is keyed by its two columns and has no Id
        var mappingColumns = (await catalog.GetColumnsAsync("Customer_CustomerRole_Mapping")).Select(c => c.Name);
        Assert.That(mappingColumns, Is.EquivalentTo(new[] { "Customer_Id", "CustomerRole_Id" }));
    }

    [Test]
    public async Task NopCommerceIndexesExist()
    {
        var catalog = new DatabaseCatalog(Database);

        var orderIndexes = await catalog.GetIndexesAsync("Order");
        Assert.That(orderIndexes.Select(i => i.Columns), Has.Some.EqualTo(new[] { "CustomerId" }));
        Assert.That(orderIndexes.Select(i => i.Columns), Has.Some.EqualTo(new[] { "CreatedOnUtc" }));
        Assert.That(orderIndexes.Select(i => i.Name), Does.Contain("AK_Order_OrderGuid"));

        var mappingIndexes = await catalog.GetIndexesAsync("Customer_CustomerRole_Mapping");
        Assert.That(mappingIndexes.Select(i => i.Columns), Has.Some.EqualTo(new[] { "CustomerRole_Id" }));

        var attributeIndexes = await catalog.GetIndexesAsync("GenericAttribute");
        if (Engine == DatabaseEngine.MySql)
            Assert.That(attributeIndexes, Is.Empty, "unlimited text columns cannot be indexed on MySQL");
        else
            Assert.That(attributeIndexes.Select(i => i.Columns), Has.Some.EqualTo(new[] { "EntityId", "KeyGroup" }));
    }

    [Test]
    public async Task TextColumnsKeepFourByteCharactersAndCompareWithThem()
    {
        //MySQL/MariaDB: utf8mb4 text columns, as nopCommerce's type map makes them (FluentMigrator's own are utf8mb3)
        const string company = "Caf\u00e9 \U0001F600 \U00020BB7";
        var customer = new Customer { Email = "emoji@example.com", Company = company, CustomerGuid = Guid.NewGuid(), Active = true, CreatedOnUtc = DateTime.UtcNow, LastActivityDateUtc = DateTime.UtcNow };
        await Repository<Customer>().InsertAsync(customer);

        Assert.That((await Repository<Customer>().GetByIdAsync(customer.Id)).Company, Is.EqualTo(company));
        Assert.That(await Repository<Customer>().Table.CountAsync(c => c.Company == company), Is.EqualTo(1));
        Assert.That(await Repository<Customer>().Table.CountAsync(c => c.Company == "\U0001F4A9"), Is.Zero);
    }

    [Test]
    public async Task CustomersAndOrdersJoinThroughRepositories()
    {
        var customers = Repository<Customer>();
        var orders = Repository<Order>();
        var created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        var alice = new Customer { Email = "alice@example.com", CustomerGuid = Guid.NewGuid(), Active = true, CreatedOnUtc = created, LastActivityDateUtc = created, BillingAddressId = 42 };
        var bob = new Customer { Email = "bob@example.com", CustomerGuid = Guid.NewGuid(), Active = true, CreatedOnUtc = created, LastActivityDateUtc = created };
        await customers.InsertAsync(alice);
        await customers.InsertAsync(bob);

        foreach (var (customer, total, status) in new[] { (alice, 10.5m, OrderStatus.Complete), (alice, 20.25m, OrderStatus.Complete), (bob, 99.99m, OrderStatus.Cancelled) })
        {
            await orders.InsertAsync(new Order
            {
                CustomerId = customer.Id,
                OrderGuid = Guid.NewGuid(),
                OrderTotal = total,
                OrderStatusId = (int)status,
                CreatedOnUtc = created,
                CustomOrderNumber = "N"
            });
        }

        var totals = await (
                from c in customers.Table
                join o in orders.Table on c.Id equals o.CustomerId
                where o.OrderStatusId == (int)OrderStatus.Complete && !o.Deleted
                group o by c.Email into g
                select new { Email = g.Key, Count = g.Count(), Total = g.Sum(o => o.OrderTotal) })
            .ToListAsync();

        Assert.That(totals, Has.Count.EqualTo(1));
        Assert.That(totals[0].Email, Is.EqualTo("alice@example.com"));
        Assert.That(totals[0].Count, Is.EqualTo(2));
        Assert.That(totals[0].Total, Is.EqualTo(30.75m));

        //Customer.BillingAddressId is stored in column BillingAddress_Id; Guids and decimals round-trip
        var reloaded = await customers.GetByIdAsync(alice.Id);
        Assert.That(reloaded.BillingAddressId, Is.EqualTo(42));
        Assert.That(reloaded.CustomerGuid, Is.EqualTo(alice.CustomerGuid));
    }

    [Test]
    public async Task SoftDeletedCustomersAreFilteredUnlessIncluded()
    {
        var customers = Repository<Customer>();
        var created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var gone = new Customer { Email = "gone@example.com", CustomerGuid = Guid.NewGuid(), CreatedOnUtc = created, LastActivityDateUtc = created };
        await customers.InsertAsync(gone);

        await customers.DeleteAsync(gone);

        Assert.That(gone.Deleted, Is.True);
        Assert.That(await customers.GetByIdAsync(gone.Id, includeDeleted: false), Is.Null);
        Assert.That((await customers.GetByIdAsync(gone.Id))?.Deleted, Is.True);
        Assert.That((await customers.GetAllAsync(q => q.Where(c => c.Email == "gone@example.com"), includeDeleted: false)), Is.Empty);
    }

    [Test]
    public async Task CustomerRolesMapThroughTheRenamedMappingColumns()
    {
        var roles = Repository<CustomerRole>();
        var mappings = Repository<CustomerCustomerRoleMapping>();
        var role = new CustomerRole { Name = "VIP", SystemName = "Vip", Active = true };
        await roles.InsertAsync(role);
        await mappings.InsertAsync(new CustomerCustomerRoleMapping { CustomerId = 7, CustomerRoleId = role.Id });
        await mappings.InsertAsync([new CustomerCustomerRoleMapping { CustomerId = 8, CustomerRoleId = role.Id }]);

        var names = await (
                from m in mappings.Table
                join r in roles.Table on m.CustomerRoleId equals r.Id
                where m.CustomerId == 7
                select r.SystemName)
            .ToListAsync();

        Assert.That(names, Is.EqualTo(new[] { "Vip" }));

        //deleting a mapping deletes by its two key columns
        await mappings.DeleteAsync(new CustomerCustomerRoleMapping { CustomerId = 7, CustomerRoleId = role.Id });
        Assert.That(await mappings.Table.Select(m => m.CustomerId).ToListAsync(), Is.EqualTo(new[] { 8 }));
    }
}
