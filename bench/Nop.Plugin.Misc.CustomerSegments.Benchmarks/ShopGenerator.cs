using System.Diagnostics;
using LinqToDB;
using LinqToDB.Data;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// Writes the synthetic shop into an empty database: nopCommerce's tables with all their columns (from the
/// table listing), rows streamed through linq2db bulk copy (binary COPY on PostgreSQL), nopCommerce's indexes
/// created after loading, statistics refreshed, then a marker row so later runs reuse the database
/// </summary>
public class ShopGenerator
{
    public const string MarkerTable = "BenchShopMarker";

    private readonly TestDatabase _database;
    private readonly ShopModel _model;
    private readonly Action<string> _log;

    public ShopGenerator(TestDatabase database, ShopModel model, Action<string> log)
    {
        _database = database;
        _model = model;
        _log = log;
    }

    public static readonly string[] Tables =
    [
        "Customer", "CustomerRole", "Customer_CustomerRole_Mapping", "CustomerAddresses", "Address", "GenericAttribute",
        "CustomerAttribute", "CustomerAttributeValue", "NewsLetterSubscription", "Order", "OrderItem", "ShoppingCartItem",
        "Product", "Product_Category_Mapping", "Product_Manufacturer_Mapping", "Category", "Manufacturer", "Store", "Country"
    ];

    /// <summary>
    /// The anchor of the shop in the database when it was generated with this size and seed, else null
    /// </summary>
    public static DateTime? ReadMarker(TestDatabase database, ShopSize size)
    {
        using var connection = database.CreateDataConnection();
        try
        {
            var anchor = connection.Execute<string>(
                $"SELECT \"AnchorUtc\" FROM \"{MarkerTable}\" WHERE \"Customers\" = @customers AND \"Seed\" = @seed AND \"Version\" = @version",
                new DataParameter("customers", size.Customers), new DataParameter("seed", size.Seed), new DataParameter("version", ShopSize.Version));
            return anchor == null ? null : DateTime.Parse(anchor, null, System.Globalization.DateTimeStyles.RoundtripKind);
        }
        catch (Exception e) when (e is System.Data.Common.DbException)
        {
            return null;
        }
    }

    /// <summary>
    /// Recreates the plugin's tables of a reused shop from the plugin's current migrations (the cached shop may
    /// predate a schema change; memberships are rebuilt by every run anyway): drops every table that is neither
    /// nopCommerce's nor the marker, then applies the migrations
    /// </summary>
    public static void ResetPluginTables(TestDatabase database)
    {
        using (var connection = database.CreateDataConnection())
        {
            var existing = connection.Query<string>(database.Engine == DatabaseEngine.PostgreSql
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").ToList();
            foreach (var table in existing.Where(t => !Tables.Contains(t) && t != MarkerTable))
                connection.Execute($"DROP TABLE \"{table}\"{(database.Engine == DatabaseEngine.PostgreSql ? " CASCADE" : "")}");
        }

        new PluginMigrationRunner(database).Up();
    }

    /// <summary>
    /// Whether the shop's e-mail columns compare without regard to capitals, as nopCommerce's do (citext on
    /// PostgreSQL, NOCASE on SQLite); shops generated before the test kit did so are brought up to date: altered on
    /// PostgreSQL (returns true), regenerated on SQLite (returns false)
    /// </summary>
    public static bool UpgradeEmailColumns(TestDatabase database, Action<string> log)
    {
        using var connection = database.CreateDataConnection();
        connection.CommandTimeout = 0;
        if (database.Engine == DatabaseEngine.Sqlite)
            return connection.Execute<string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'Customer'")
                ?.Contains("NOCASE", StringComparison.OrdinalIgnoreCase) == true;

        var textColumns = connection.Query<string>(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'Email' AND data_type = 'text'").ToList();
        if (textColumns.Count == 0)
            return true;

        var watch = Stopwatch.StartNew();
        connection.Execute("CREATE EXTENSION IF NOT EXISTS citext");
        foreach (var table in textColumns)
        {
            connection.Execute($"ALTER TABLE \"{table}\" ALTER COLUMN \"Email\" TYPE citext");
            connection.Execute($"ANALYZE \"{table}\"");
        }

        log($"  e-mail columns of {string.Join(", ", textColumns)} altered to citext in {watch.Elapsed.TotalSeconds:F1} s");
        return true;
    }

    public void Generate()
    {
        var tables = Tables.Select(NopTableListing.Default.Get).ToList();
        FluentMigratorHost.Up(_database, new NopTablesMigration(tables, _database.Engine, withIndexes: false));
        new PluginMigrationRunner(_database).Up();

        Load("reference data", ReferenceData);
        Load("products", Products);
        Load("customers", Customers);
        Load("addresses", Addresses);
        Load("customer roles and addresses mappings", CustomerMappings);
        Load("newsletter subscriptions and generic attributes", Engagement);
        Load("orders", Orders);
        Load("order items", OrderItems);
        Load("shopping carts", Carts);

        var watch = Stopwatch.StartNew();
        using (var connection = _database.CreateDataConnection())
        {
            connection.CommandTimeout = 0;
            foreach (var index in NopIndexes.All.Where(i => Tables.Contains(i.Table)))
                connection.Execute($"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX \"{index.Name}\" ON \"{index.Table}\" ({string.Join(", ", index.Columns.Select(c => $"\"{c}\""))})");

            if (_database.Engine == DatabaseEngine.PostgreSql)
            {
                foreach (var table in tables.Where(t => t.HasIdentity))
                    connection.Execute($"SELECT setval(pg_get_serial_sequence('\"{table.TableName}\"', 'Id'), COALESCE((SELECT MAX(\"Id\") FROM \"{table.TableName}\"), 0) + 1, false)");
                connection.Execute("VACUUM ANALYZE");
            }
            else
                connection.Execute("ANALYZE");
        }

        _log($"  indexes and statistics: {watch.Elapsed.TotalSeconds:F1} s");

        using (var connection = _database.CreateDataConnection())
        {
            connection.Execute($"CREATE TABLE \"{MarkerTable}\" (\"Customers\" INT NOT NULL, \"Seed\" INT NOT NULL, \"Version\" INT NOT NULL, \"AnchorUtc\" VARCHAR(40) NOT NULL, \"Orders\" BIGINT NOT NULL)");
            connection.Execute($"INSERT INTO \"{MarkerTable}\" VALUES (@customers, @seed, @version, @anchor, @orders)",
                new DataParameter("customers", _model.Size.Customers), new DataParameter("seed", _model.Size.Seed),
                new DataParameter("version", ShopSize.Version), new DataParameter("anchor", _model.AnchorUtc.ToString("O")),
                new DataParameter("orders", _model.TotalOrders));
        }
    }

    private void Load(string what, Func<DataConnection, long> load)
    {
        var watch = Stopwatch.StartNew();
        using var connection = _database.CreateDataConnection();
        connection.CommandTimeout = 0;
        long rows;
        if (_database.Engine == DatabaseEngine.Sqlite)
        {
            using var transaction = connection.BeginTransaction();
            rows = load(connection);
            transaction.Commit();
        }
        else
            rows = load(connection);

        _log($"  {what}: {rows:N0} rows in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static readonly BulkCopyOptions _bulk = new()
    {
        BulkCopyType = BulkCopyType.ProviderSpecific,
        KeepIdentity = true,
        MaxBatchSize = 50_000
    };

    private static long Copy<T>(DataConnection connection, IEnumerable<T> rows) where T : class =>
        connection.BulkCopy(_bulk, rows).RowsCopied;

    private long ReferenceData(DataConnection connection)
    {
        long rows = Copy(connection, new[] { new Store { Id = ShopModel.StoreId, Name = "Bench store", Url = "https://bench.example/", SslEnabled = true, DisplayOrder = 1 } });
        rows += Copy(connection, Enumerable.Range(1, _model.Size.Countries).Select(id => new Country
        {
            Id = id, Name = _model.CountryName(id), TwoLetterIsoCode = $"C{(char)('A' + id - 1)}", ThreeLetterIsoCode = $"C{id:00}",
            AllowsBilling = true, AllowsShipping = true, Published = true, DisplayOrder = id, NumericIsoCode = 900 + id
        }));
        rows += Copy(connection, new[]
        {
            Role(ShopModel.AdministratorsRoleId, "Administrators", NopCustomerDefaults.AdministratorsRoleName),
            Role(ShopModel.ForumModeratorsRoleId, "Forum Moderators", "ForumModerators"),
            Role(ShopModel.RegisteredRoleId, "Registered", NopCustomerDefaults.RegisteredRoleName),
            Role(ShopModel.GuestsRoleId, "Guests", NopCustomerDefaults.GuestsRoleName),
            Role(ShopModel.VendorsRoleId, "Vendors", "Vendors")
        });
        rows += Copy(connection, new[] { new CustomerAttribute { Id = ShopModel.CustomerAttributeId, Name = "Preferred contact", AttributeControlTypeId = 1, DisplayOrder = 1 } });
        rows += Copy(connection, new[] { "E-mail", "Phone", "Post" }.Select((name, i) => new CustomerAttributeValue
        {
            Id = i + 1, AttributeId = ShopModel.CustomerAttributeId, Name = name, DisplayOrder = i
        }));
        return rows;

        static CustomerRole Role(int id, string name, string systemName) =>
            new() { Id = id, Name = name, SystemName = systemName, Active = true, IsSystemRole = true };
    }

    private long Products(DataConnection connection)
    {
        var created = _model.AnchorUtc.AddYears(-6);
        long rows = Copy(connection, Enumerable.Range(1, _model.Size.Categories).Select(id => new Category
        {
            Id = id, Name = $"Category {id:000}", CategoryTemplateId = 1, PageSize = 6, PageSizeOptions = "6, 3, 9",
            Published = true, DisplayOrder = id, ParentCategoryId = id > 20 ? (id - 1) % 20 + 1 : 0, CreatedOnUtc = created, UpdatedOnUtc = created
        }));
        rows += Copy(connection, Enumerable.Range(1, _model.Size.Manufacturers).Select(id => new Manufacturer
        {
            Id = id, Name = $"Manufacturer {id:00}", ManufacturerTemplateId = 1, PageSize = 6, PageSizeOptions = "6, 3, 9",
            Published = true, DisplayOrder = id, CreatedOnUtc = created, UpdatedOnUtc = created
        }));
        rows += Copy(connection, Enumerable.Range(1, _model.Size.Products).Select(id => new Product
        {
            Id = id, Name = $"Product {id:00000}", Sku = $"SKU-{id:00000}", ProductTypeId = 5, VisibleIndividually = true,
            ProductTemplateId = 1, Price = _model.PriceOf(id), ProductCost = Math.Round(_model.PriceOf(id) * 0.6m, 2),
            Published = true, StockQuantity = 1000, OrderMinimumQuantity = 1, OrderMaximumQuantity = 10000,
            IsShipEnabled = true, CreatedOnUtc = created, UpdatedOnUtc = created
        }));
        rows += Copy(connection, Enumerable.Range(1, _model.Size.Products).Select(id => new ProductCategory
        {
            Id = id, ProductId = id, CategoryId = _model.CategoryOf(id), DisplayOrder = 1
        }));
        rows += Copy(connection, Enumerable.Range(1, _model.Size.Products).Select(id => new ProductManufacturer
        {
            Id = id, ProductId = id, ManufacturerId = _model.ManufacturerOf(id), DisplayOrder = 1
        }));
        return rows;
    }

    private IEnumerable<CustomerProfile> Profiles() =>
        Enumerable.Range(1, _model.Size.Customers).Select(_model.Customer);

    private long Customers(DataConnection connection)
    {
        var system = new[]
        {
            new Customer { Id = _model.Size.Customers + 1, SystemName = NopCustomerDefaults.SearchEngineCustomerName, IsSystemAccount = true, Active = true, CustomerGuid = Guid.NewGuid(), CreatedOnUtc = _model.AnchorUtc.AddYears(-6), LastActivityDateUtc = _model.AnchorUtc },
            new Customer { Id = _model.Size.Customers + 2, SystemName = NopCustomerDefaults.BackgroundTaskCustomerName, IsSystemAccount = true, Active = true, CustomerGuid = Guid.NewGuid(), CreatedOnUtc = _model.AnchorUtc.AddYears(-6), LastActivityDateUtc = _model.AnchorUtc }
        };

        return Copy(connection, Profiles().Select(p =>
        {
            var rng = new Rng(_model.Size.Seed, 4, p.Id);
            return new Customer
            {
                Id = p.Id,
                CustomerGuid = rng.NextGuid(),
                Username = p.Email,
                Email = p.Email,
                FirstName = p.Registered ? $"First{p.Id % 997}" : null,
                LastName = p.Registered ? $"Last{p.Id % 1999}" : null,
                Gender = p.Registered ? p.Gender : null,
                DateOfBirth = p.Registered && rng.Chance(0.4) ? new DateTime(p.BirthYear, rng.Next(1, 13), rng.Next(1, 29)) : null,
                CountryId = p.Registered ? p.CountryId : 0,
                City = p.Registered ? $"City {p.CountryId}-{p.Id % 50}" : null,
                CustomCustomerAttributesXML = p.HasAttributes
                    ? $"<Attributes><CustomerAttribute ID=\"{ShopModel.CustomerAttributeId}\"><CustomerAttributeValue><Value>{rng.Next(1, 4)}</Value></CustomerAttributeValue></CustomerAttribute></Attributes>"
                    : null,
                HasShoppingCartItems = p.HasCart,
                Active = true,
                RegisteredInStoreId = ShopModel.StoreId,
                LastIpAddress = $"10.{p.Id >> 16 & 255}.{p.Id >> 8 & 255}.{p.Id & 255}",
                CreatedOnUtc = p.CreatedOnUtc,
                LastActivityDateUtc = p.LastActivityUtc,
                LastLoginDateUtc = p.Registered ? p.LastActivityUtc : null,
                BillingAddressId = p.Registered ? p.Id : null,
                ShippingAddressId = p.Registered ? p.Id : null,
                LanguageId = 1,
                CurrencyId = 1
            };
        }).Concat(system));
    }

    private long Addresses(DataConnection connection) =>
        Copy(connection, Profiles().Where(p => p.Registered).Select(p => new Address
        {
            Id = p.Id,
            FirstName = $"First{p.Id % 997}",
            LastName = $"Last{p.Id % 1999}",
            Email = p.Email,
            CountryId = p.CountryId,
            City = $"City {p.CountryId}-{p.Id % 50}",
            Address1 = $"{p.Id % 300 + 1} Bench Street",
            ZipPostalCode = $"{p.Id % 100000:00000}",
            PhoneNumber = $"555-{p.Id % 10000:0000}",
            CreatedOnUtc = p.CreatedOnUtc
        }));

    private long CustomerMappings(DataConnection connection)
    {
        var rows = Copy(connection, Profiles().Select(p => new CustomerCustomerRoleMapping
        {
            CustomerId = p.Id, CustomerRoleId = p.Registered ? ShopModel.RegisteredRoleId : ShopModel.GuestsRoleId
        }).Concat(Enumerable.Range(_model.Size.Customers + 1, _model.SystemCustomers).Select(id => new CustomerCustomerRoleMapping
        {
            CustomerId = id, CustomerRoleId = ShopModel.GuestsRoleId
        })));
        rows += Copy(connection, Profiles().Where(p => p.Registered).Select(p => new CustomerAddressMapping { CustomerId = p.Id, AddressId = p.Id }));
        return rows;
    }

    private long Engagement(DataConnection connection)
    {
        var id = 0;
        var rows = Copy(connection, Profiles().Where(p => p.Subscribed).Select(p => new NewsLetterSubscription
        {
            Id = ++id,
            NewsLetterSubscriptionGuid = new Rng(_model.Size.Seed, 5, p.Id).NextGuid(),
            Email = p.Email,
            Active = p.SubscriptionActive,
            StoreId = ShopModel.StoreId,
            LanguageId = 1,
            TypeId = 1,
            CreatedOnUtc = p.CreatedOnUtc.AddDays(1)
        }));

        var attributeId = 0;
        rows += Copy(connection, Profiles().Where(p => p.Registered).SelectMany(p => new[]
        {
            new GenericAttribute { Id = ++attributeId, EntityId = p.Id, KeyGroup = "Customer", Key = "LastVisitedPage", Value = $"https://bench.example/product-{p.Id % 20000 + 1}", StoreId = ShopModel.StoreId, CreatedOrUpdatedDateUTC = p.LastActivityUtc },
            new GenericAttribute { Id = ++attributeId, EntityId = p.Id, KeyGroup = "Customer", Key = "NotifiedAboutNewPrivateMessages", Value = "False", StoreId = ShopModel.StoreId, CreatedOrUpdatedDateUTC = p.CreatedOnUtc }
        }));
        return rows;
    }

    /// <summary>
    /// Orders by customer, ids in sequence; each order's id seeds its contents
    /// </summary>
    private IEnumerable<(int OrderId, CustomerProfile Customer)> OrderIds()
    {
        var orderId = 0;
        for (var id = 1; id <= _model.Size.Customers; id++)
        {
            var count = _model.OrderCounts[id];
            if (count == 0)
                continue;
            var customer = _model.Customer(id);
            for (var k = 0; k < count; k++)
                yield return (++orderId, customer);
        }
    }

    private long Orders(DataConnection connection)
    {
        var items = new List<(int, int, decimal)>();
        return Copy(connection, OrderIds().Select(o =>
        {
            var plan = _model.Order(o.OrderId, o.Customer, items);
            var addressId = o.Customer.Registered ? o.Customer.Id : 0;
            return new Order
            {
                Id = o.OrderId,
                OrderGuid = plan.Guid,
                CustomOrderNumber = o.OrderId.ToString(),
                CustomerId = o.Customer.Id,
                StoreId = ShopModel.StoreId,
                BillingAddressId = addressId,
                ShippingAddressId = o.Customer.Registered ? addressId : null,
                OrderStatusId = plan.StatusId,
                PaymentStatusId = plan.StatusId == ShopModel.CancelledStatusId ? 50 : plan.StatusId == 10 ? 10 : 30,
                ShippingStatusId = plan.StatusId == 30 ? 40 : 20,
                CustomerCurrencyCode = "USD",
                CurrencyRate = 1,
                CustomerLanguageId = 1,
                OrderSubtotalInclTax = plan.Subtotal + plan.Tax,
                OrderSubtotalExclTax = plan.Subtotal,
                OrderShippingInclTax = plan.Shipping,
                OrderShippingExclTax = plan.Shipping,
                OrderTax = plan.Tax,
                OrderTotal = plan.Total,
                TaxRates = "8:" + plan.Tax.ToString(System.Globalization.CultureInfo.InvariantCulture),
                PaymentMethodSystemName = "Payments.CheckMoneyOrder",
                ShippingMethod = "Ground",
                CustomerIp = "10.0.0.1",
                PaidDateUtc = plan.StatusId == 30 ? plan.CreatedOnUtc : null,
                CreatedOnUtc = plan.CreatedOnUtc
            };
        }));
    }

    private long OrderItems(DataConnection connection)
    {
        var items = new List<(int ProductId, int Quantity, decimal Price)>();
        var itemId = 0;
        return Copy(connection, OrderIds().SelectMany(o =>
        {
            _model.Order(o.OrderId, o.Customer, items);
            var rng = new Rng(_model.Size.Seed, 6, o.OrderId);
            return items.Select(i => new OrderItem
            {
                Id = ++itemId,
                OrderItemGuid = rng.NextGuid(),
                OrderId = o.OrderId,
                ProductId = i.ProductId,
                Quantity = i.Quantity,
                UnitPriceInclTax = Math.Round(i.Price * 1.08m, 2),
                UnitPriceExclTax = i.Price,
                PriceInclTax = Math.Round(i.Price * i.Quantity * 1.08m, 2),
                PriceExclTax = i.Price * i.Quantity,
                OriginalProductCost = Math.Round(i.Price * 0.6m, 2)
            }).ToList();
        }));
    }

    private long Carts(DataConnection connection)
    {
        var id = 0;
        return Copy(connection, Profiles().Where(p => p.HasCart).SelectMany(p =>
        {
            var rng = new Rng(_model.Size.Seed, 7, p.Id);
            var count = rng.Next(1, 4);
            var updated = _model.AnchorUtc.AddDays(-rng.Next(0, 60));
            return Enumerable.Range(0, count).Select(_ => new ShoppingCartItem
            {
                Id = ++id,
                CustomerId = p.Id,
                StoreId = ShopModel.StoreId,
                ShoppingCartTypeId = rng.Chance(0.85) ? 1 : 2,
                ProductId = rng.Next(1, _model.Size.Products + 1),
                Quantity = 1,
                CreatedOnUtc = updated,
                UpdatedOnUtc = updated
            }).ToList();
        }));
    }
}
