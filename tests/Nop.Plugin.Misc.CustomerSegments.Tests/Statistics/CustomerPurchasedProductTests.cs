using Moq;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;
using Nop.Services.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Statistics;

/// <summary>
/// The products bought per customer and store on real databases: what the full recompute stores, and that the
/// refreshes of one customer and of a list of customers leave what a recompute would, as orders and their items change
/// </summary>
public class CustomerPurchasedProductTests : DatabaseTestBase
{
    private static readonly DateTime Now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);
    private static readonly PaymentStatus[] PaymentStatuses =
        [PaymentStatus.Pending, PaymentStatus.Paid, PaymentStatus.Paid, PaymentStatus.Refunded, PaymentStatus.PartiallyRefunded];
    private static readonly OrderStatus[] OrderStatuses = [OrderStatus.Complete, OrderStatus.Processing, OrderStatus.Cancelled, OrderStatus.Pending];

    public CustomerPurchasedProductTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public async Task ResetAsync()
    {
        foreach (var clear in new Func<Task>[]
                 {
                     () => Repository<CustomerPurchasedProduct>().DeleteAsync(_ => true), () => Repository<CustomerOrderStatistics>().DeleteAsync(_ => true),
                     () => Repository<OrderItem>().DeleteAsync(_ => true), () => Repository<Order>().DeleteAsync(_ => true),
                     () => Repository<Customer>().DeleteAsync(_ => true)
                 })
            await clear();
    }

    #region Data

    private CustomerOrderStatisticsService Statistics(CustomerSegmentsSettings settings) =>
        Shop.NewOrderStatisticsService(settings, new Mock<ISettingService>().Object);

    private async Task<List<Customer>> CustomersAsync(int count)
    {
        var customers = Enumerable.Range(0, count).Select(_ => new Customer
        {
            CustomerGuid = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@example.com", Active = true,
            CreatedOnUtc = Now.AddYears(-2), LastActivityDateUtc = Now
        }).ToList();
        foreach (var customer in customers)
            await Repository<Customer>().InsertAsync(customer, false);
        return customers;
    }

    /// <summary>
    /// A random order of a store among 0-2 with 1-3 items of products 1-6 (a product twice at times), placed at a
    /// whole second in the last days
    /// </summary>
    private async Task<Order> InsertRandomOrderAsync(Random random, int customerId)
    {
        var order = new Order
        {
            OrderGuid = Guid.NewGuid(), CustomerId = customerId, StoreId = random.Next(3),
            OrderTotal = random.Next(1, 2000) * 0.25m,
            PaymentStatusId = (int)PaymentStatuses[random.Next(PaymentStatuses.Length)],
            OrderStatusId = (int)OrderStatuses[random.Next(OrderStatuses.Length)],
            ShippingStatusId = 10, CreatedOnUtc = Now.AddSeconds(-random.Next(0, 30 * 86400)),
            CustomOrderNumber = Guid.NewGuid().ToString("N")[..10], CustomerCurrencyCode = "USD", CurrencyRate = 1, Deleted = random.Next(10) == 0
        };
        await Repository<Order>().InsertAsync(order, false);
        for (var i = random.Next(1, 4); i > 0; i--)
            await InsertItemAsync(order.Id, random.Next(1, 7));
        return order;
    }

    private Task InsertItemAsync(int orderId, int productId) =>
        Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = orderId, ProductId = productId, Quantity = 1 }, false);

    /// <summary>
    /// Changes one of the customer's orders or items the way nopCommerce's events report it, or places a new order
    /// </summary>
    /// <param name="random">Picks the change</param>
    /// <param name="customerId">The customer</param>
    /// <param name="datesChange">Whether an order's date may change (nopCommerce never changes it)</param>
    /// <returns>The order placed or changed (its items, for one); null when deleted</returns>
    private async Task<Order> ChangeRandomlyAsync(Random random, int customerId, bool datesChange = true)
    {
        var orders = await Repository<Order>().Table.Where(o => o.CustomerId == customerId).OrderBy(o => o.Id).ToListAsync();
        var action = orders.Count == 0 ? 0 : random.Next(9);
        if (action == 5 && !datesChange)
            action = 4;
        if (action <= 1)
            return await InsertRandomOrderAsync(random, customerId);

        var order = orders[random.Next(orders.Count)];
        var orderId = order.Id;
        var items = await Repository<OrderItem>().Table.Where(oi => oi.OrderId == orderId).OrderBy(oi => oi.Id).ToListAsync();
        switch (action)
        {
            case 2:
                order.PaymentStatusId = (int)PaymentStatuses[random.Next(PaymentStatuses.Length)];
                break;
            case 3:
                order.OrderStatusId = (int)OrderStatuses[random.Next(OrderStatuses.Length)];
                break;
            case 4:
                order.Deleted = !order.Deleted;
                break;
            case 5:
                order.CreatedOnUtc = Now.AddSeconds(-random.Next(0, 30 * 86400));
                break;
            case 6:
                await InsertItemAsync(orderId, random.Next(1, 7));
                return order;
            case 7 when items.Count > 0:
                var item = items[random.Next(items.Count)];
                item.ProductId = random.Next(1, 7);
                await Repository<OrderItem>().UpdateAsync(item, false);
                return order;
            case 7:
                return order;
            default:
                if (items.Count > 0)
                {
                    await Repository<OrderItem>().DeleteAsync(items[random.Next(items.Count)], false);
                    return order;
                }

                await Repository<Order>().DeleteAsync(order, false);
                return null;
        }

        await Repository<Order>().UpdateAsync(order, false);
        return order;
    }

    /// <summary>
    /// The products bought per customer and store with the last purchase, computed here from the orders and items
    /// as they are in the database (to the second: MySQL/MariaDB keep whole seconds)
    /// </summary>
    private async Task<Dictionary<(int CustomerId, int StoreId, int ProductId), DateTime>> ExpectedAsync(CustomerSegmentsSettings settings)
    {
        var orders = (await Repository<Order>().Table.ToListAsync())
            .Where(o => !o.Deleted && settings.PurchasePaymentStatusIds.Contains(o.PaymentStatusId) && !settings.ExcludedOrderStatusIds.Contains(o.OrderStatusId))
            .ToDictionary(o => o.Id);
        var items = await Repository<OrderItem>().Table.ToListAsync();
        return items
            .Where(oi => orders.ContainsKey(oi.OrderId))
            .GroupBy(oi => (orders[oi.OrderId].CustomerId, orders[oi.OrderId].StoreId, oi.ProductId))
            .ToDictionary(g => g.Key, g => ToSecond(g.Max(oi => orders[oi.OrderId].CreatedOnUtc)));
    }

    private static DateTime ToSecond(DateTime moment) => new(moment.Ticks - moment.Ticks % TimeSpan.TicksPerSecond);

    private async Task<Dictionary<(int CustomerId, int StoreId, int ProductId), DateTime>> RowsAsync()
    {
        var rows = await Repository<CustomerPurchasedProduct>().Table.ToListAsync();
        Assert.That(rows.Select(r => (r.CustomerId, r.StoreId, r.ProductId)), Is.Unique, "one row per customer, store and product");
        return rows.ToDictionary(r => (r.CustomerId, r.StoreId, r.ProductId), r => ToSecond(r.LastPurchasedOnUtc));
    }

    private async Task AssertRowsAreThePurchasesAsync(CustomerSegmentsSettings settings, string when) =>
        Assert.That(await RowsAsync(), Is.EquivalentTo(await ExpectedAsync(settings)), when);

    #endregion

    [Test]
    public async Task TheRecomputeStoresTheProductsEachCustomerBoughtPerStore()
    {
        var random = new Random(1);
        foreach (var customer in await CustomersAsync(40))
            for (var i = random.Next(1, 8); i > 0; i--)
                await InsertRandomOrderAsync(random, customer.Id);

        var settings = new CustomerSegmentsSettings();
        await Statistics(settings).RecomputeAllAsync(Now);

        var expected = await ExpectedAsync(settings);
        Assert.That(expected.Count, Is.GreaterThan(30), "products to compare");
        Assert.That(expected.Keys.Select(k => k.StoreId).Distinct().Count(), Is.EqualTo(3), "orders of stores 0-2");
        await AssertRowsAreThePurchasesAsync(settings, "after the recompute");

        //other settings: the recompute follows their purchase definition
        var other = new CustomerSegmentsSettings { PurchasePaymentStatusIds = [(int)PaymentStatus.Pending, (int)PaymentStatus.Paid], ExcludedOrderStatusIds = [] };
        await Statistics(other).RecomputeAllAsync(Now);
        Assert.That(await ExpectedAsync(other), Is.Not.EquivalentTo(expected));
        await AssertRowsAreThePurchasesAsync(other, "after the recompute with other settings");
    }

    [Test]
    public async Task RefreshingACustomerAfterEachOrderOrItemEventLeavesWhatTheRecomputeWould()
    {
        var random = new Random(2);
        var customers = await CustomersAsync(5);
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        await statistics.RecomputeAllAsync(Now);

        var rowsSeen = new HashSet<(int, int, int)>();
        for (var step = 1; step <= 120; step++)
        {
            var customer = customers[random.Next(customers.Count)];
            await ChangeRandomlyAsync(random, customer.Id);
            await statistics.RefreshCustomerAsync(customer.Id, Now);
            if (step % 10 == 0)
            {
                await AssertRowsAreThePurchasesAsync(settings, $"after step {step}");
                rowsSeen.UnionWith((await RowsAsync()).Keys);
            }
        }

        Assert.That(rowsSeen.Count, Is.GreaterThanOrEqualTo(10), "rows to compare");
    }

    [Test]
    public async Task RefreshingTheChangedOrderAfterEachEventLeavesWhatTheRecomputeWould()
    {
        var random = new Random(4);
        var customers = await CustomersAsync(5);
        var settings = new CustomerSegmentsSettings();
        var service = new CountingPurchasedProductService(settings, Shop);
        await Statistics(settings).RecomputeAllAsync(Now);

        for (var step = 1; step <= 150; step++)
        {
            var customer = customers[random.Next(customers.Count)];
            var order = await ChangeRandomlyAsync(random, customer.Id, datesChange: false);
            //a deleted order is refreshed customer-wide, as its event is
            if (order == null)
                await service.RefreshCustomerAsync(customer.Id);
            else
                await service.RefreshOrderAsync(order);
            if (step % 10 == 0)
                await AssertRowsAreThePurchasesAsync(settings, $"after step {step}");
        }

        Assert.That(service.OrderRefreshes, Is.GreaterThanOrEqualTo(100), "order refreshes");
        Assert.That(service.CustomerRecomputesFromOrders, Is.InRange(10, service.OrderRefreshes / 2),
            "orders that stopped counting or lost an item recompute the customer's rows, the others do not");
        //one writer: every guarded write and insert succeeds without the lock
        Assert.That(service.LockedRefreshes, Is.Zero, "refreshes that fell back to the lock");
    }

    [Test]
    public async Task TheNamedPurchasesReadWithAnOrdersRefreshAreTheRowsItLeaves()
    {
        var random = new Random(7);
        var customers = await CustomersAsync(4);
        var settings = new CustomerSegmentsSettings();
        var service = Shop.NewPurchasedProductService(settings);
        await Statistics(settings).RecomputeAllAsync(Now);
        //products 1-6 in categories and of manufacturers (product 2 in two categories, product 4 of none), some names
        //without products or never bought
        (int ProductId, int Id)[] categories = [(1, 1), (2, 1), (2, 2), (3, 2), (5, 3), (6, 4)];
        (int ProductId, int Id)[] manufacturers = [(1, 1), (3, 1), (6, 2), (5, 3)];
        await Repository<ProductCategory>().DeleteAsync(_ => true);
        await Repository<ProductManufacturer>().DeleteAsync(_ => true);
        foreach (var (productId, id) in categories)
            await Repository<ProductCategory>().InsertAsync(new ProductCategory { ProductId = productId, CategoryId = id }, false);
        foreach (var (productId, id) in manufacturers)
            await Repository<ProductManufacturer>().InsertAsync(new ProductManufacturer { ProductId = productId, ManufacturerId = id }, false);
        var names = new PurchaseNames();
        names.Add(RuleFields.BoughtProducts, [2, 5, 9]);
        names.Add(RuleFields.BoughtCategories, [1, 2, 7]);
        names.Add(RuleFields.BoughtManufacturers, [1, 2]);
        IEnumerable<(string Field, int Id)> namesOf(int productId) =>
            (names.Of(RuleFields.BoughtProducts).Contains(productId) ? new[] { (RuleFields.BoughtProducts, productId) } : [])
            .Concat(categories.Where(c => c.ProductId == productId && names.Of(RuleFields.BoughtCategories).Contains(c.Id)).Select(c => (RuleFields.BoughtCategories, c.Id)))
            .Concat(manufacturers.Where(m => m.ProductId == productId && names.Of(RuleFields.BoughtManufacturers).Contains(m.Id)).Select(m => (RuleFields.BoughtManufacturers, m.Id)));

        var (read, written, recomputed, purchasesRead) = (0, 0, 0, 0);
        for (var step = 1; step <= 100; step++)
        {
            var customer = customers[random.Next(customers.Count)];
            var order = await ChangeRandomlyAsync(random, customer.Id, datesChange: false);
            if (order == null)
            {
                await service.RefreshCustomerAsync(customer.Id);
                continue;
            }

            var refresh = await service.RefreshOrderAsync(order, names);
            if (refresh.Purchases == null)
            {
                recomputed++;
                continue;
            }

            (read, written) = (read + 1, written + (refresh.Written ? 1 : 0));
            var rows = await Repository<CustomerPurchasedProduct>().Table.Where(r => r.CustomerId == customer.Id).ToListAsync();
            var expected = rows.SelectMany(r => namesOf(r.ProductId).Select(name => (name.Field, name.Id, r.StoreId, r.ProductId, ToSecond(r.LastPurchasedOnUtc)))).ToList();
            Assert.That(refresh.Purchases.Purchases.Select(p => (p.Field, p.Id, p.StoreId, p.ProductId, ToSecond(p.LastPurchasedOnUtc))),
                Is.EquivalentTo(expected), $"step {step}, customer {customer.Id}, order {order.Id}");
            Assert.That(refresh.Purchases.Bought(RuleFields.BoughtProducts, [3], 0, null, false), Is.Null, "a product not named");
            purchasesRead += expected.Count;
        }

        await AssertRowsAreThePurchasesAsync(settings, "after the order refreshes");
        Assert.That(read, Is.GreaterThanOrEqualTo(50), "order refreshes that read the named purchases");
        Assert.That(written, Is.GreaterThanOrEqualTo(10), "refreshes that wrote: read as written");
        Assert.That(recomputed, Is.GreaterThanOrEqualTo(3), "refreshes that recomputed the customer's rows: no purchases read");
        Assert.That(purchasesRead, Is.GreaterThanOrEqualTo(100), "named purchases compared");
    }

    [Test]
    public async Task AnItemRemovedFromAnOrderTakesTheDateItGaveBack()
    {
        var customer = (await CustomersAsync(1))[0];
        var service = Shop.NewPurchasedProductService(new CustomerSegmentsSettings());
        Task<Order> PaidAsync(DateTime placedOnUtc, params int[] productIds) => PaidOrderAsync(customer.Id, 1, placedOnUtc, productIds);

        async Task<(int, DateTime)[]> RowsOfAsync() => (await service.GetCustomerProductsAsync(customer.Id))
            .OrderBy(row => row.ProductId).Select(row => (row.ProductId, ToSecond(row.LastPurchasedOnUtc))).ToArray();

        var older = await PaidAsync(Now.AddDays(-5), 7);
        Assert.That((await service.RefreshOrderAsync(older)).Written, Is.True);
        var newer = await PaidAsync(Now.AddDays(-1), 7, 8);
        Assert.That((await service.RefreshOrderAsync(newer)).Written, Is.True, "product 7 moved up, product 8 inserted");
        Assert.That(await RowsOfAsync(), Is.EqualTo(new[] { (7, Now.AddDays(-1)), (8, Now.AddDays(-1)) }));
        Assert.That((await service.RefreshOrderAsync(newer)).Written, Is.False, "announced again");
        Assert.That((await service.RefreshOrderAsync(older)).Written, Is.False, "the older order changes no date");

        //the admin removes both items of product 7 and 8 from the newer order one by one; each time the order is updated
        var items = await Repository<OrderItem>().Table.Where(oi => oi.OrderId == newer.Id).OrderBy(oi => oi.ProductId).ToListAsync();
        await Repository<OrderItem>().DeleteAsync(items[0], false);
        Assert.That((await service.RefreshOrderAsync(newer)).Written, Is.True);
        Assert.That(await RowsOfAsync(), Is.EqualTo(new[] { (7, Now.AddDays(-5)), (8, Now.AddDays(-1)) }), "product 7 back to the older order");
        await Repository<OrderItem>().DeleteAsync(items[1], false);
        Assert.That((await service.RefreshOrderAsync(newer)).Written, Is.True, "the order has no items left");
        Assert.That(await RowsOfAsync(), Is.EqualTo(new[] { (7, Now.AddDays(-5)) }));

        //an order of another customer, or not yet saved, changes nothing
        Assert.That((await service.RefreshOrderAsync(new Order { Id = older.Id, CustomerId = customer.Id + 1, CreatedOnUtc = older.CreatedOnUtc })).Written, Is.False);
        Assert.That((await service.RefreshOrderAsync(new Order { CustomerId = customer.Id })).Written, Is.False);
        Assert.That(await RowsOfAsync(), Is.EqualTo(new[] { (7, Now.AddDays(-5)) }));
    }

    [Test]
    public async Task AnOrderMovedToAnotherStoreTakesItsProductsAlong()
    {
        var customer = (await CustomersAsync(1))[0];
        var service = Shop.NewPurchasedProductService(new CustomerSegmentsSettings());
        var order = await PaidOrderAsync(customer.Id, 1, Now.AddDays(-1), 7);
        Assert.That((await service.RefreshOrderAsync(order)).Written, Is.True);

        //an import or another plugin moves the order to another store (IOrderService.UpdateOrderAsync)
        order.StoreId = 2;
        await Repository<Order>().UpdateAsync(order, false);
        Assert.That((await service.RefreshOrderAsync(order)).Written, Is.True);
        var rows = (await service.GetCustomerProductsAsync(customer.Id)).Select(row => (row.StoreId, row.ProductId)).ToArray();
        Assert.That(rows, Is.EqualTo(new[] { (2, 7) }), "nothing bought in store 1 any more");
    }

    [Test]
    public async Task AnOrderWritesItsNewProductsInOneStatementAndItsRepeatedOnesInAnother()
    {
        var customer = (await CustomersAsync(1))[0];
        var statements = new PurchasedProductWriteCounter();
        var service = new TestShop(Database, new TestDataProvider(Database, statements)).NewPurchasedProductService(new CustomerSegmentsSettings());

        var first = await PaidOrderAsync(customer.Id, 1, Now.AddDays(-3), 7, 8, 9, 9);
        Assert.That((await service.RefreshOrderAsync(first)).Written, Is.True);
        Assert.That(statements.Inserts, Is.EqualTo(1), "three new products, one INSERT");

        statements.Reset();
        var second = await PaidOrderAsync(customer.Id, 1, Now.AddDays(-1), 7, 8, 9, 10, 11);
        Assert.That((await service.RefreshOrderAsync(second)).Written, Is.True);
        Assert.That((statements.Inserts, statements.Updates), Is.EqualTo((1, 1)), "two new products, three bought again");

        var rows = (await service.GetCustomerProductsAsync(customer.Id)).OrderBy(row => row.ProductId)
            .Select(row => (row.StoreId, row.ProductId, ToSecond(row.LastPurchasedOnUtc))).ToArray();
        Assert.That(rows, Is.EqualTo(new[] { 7, 8, 9, 10, 11 }.Select(productId => (1, productId, Now.AddDays(-1))).ToArray()));
        await AssertRowsAreThePurchasesAsync(new CustomerSegmentsSettings(), "after both orders");
    }

    /// <summary>
    /// Counts the statements that insert or update rows of the products bought
    /// </summary>
    private sealed class PurchasedProductWriteCounter : LinqToDB.Interceptors.CommandInterceptor
    {
        private int _inserts;
        private int _updates;

        public int Inserts => Volatile.Read(ref _inserts);

        public int Updates => Volatile.Read(ref _updates);

        public void Reset() => (_inserts, _updates) = (0, 0);

        public override System.Data.Common.DbCommand CommandInitialized(LinqToDB.Interceptors.CommandEventData eventData, System.Data.Common.DbCommand command)
        {
            var sql = command.CommandText.TrimStart();
            if (sql.Contains(CustomerSegmentsDefaults.PurchasedProductsTableName, StringComparison.Ordinal))
            {
                if (sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase))
                    Interlocked.Increment(ref _inserts);
                else if (sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase))
                    Interlocked.Increment(ref _updates);
            }

            return command;
        }
    }

    /// <summary>
    /// A paid, complete order of the customer in the store with one item of each product, saved without events
    /// </summary>
    private async Task<Order> PaidOrderAsync(int customerId, int storeId, DateTime placedOnUtc, params int[] productIds)
    {
        var order = new Order
        {
            OrderGuid = Guid.NewGuid(), CustomerId = customerId, StoreId = storeId, OrderTotal = 10, PaymentStatusId = (int)PaymentStatus.Paid,
            OrderStatusId = (int)OrderStatus.Complete, ShippingStatusId = 10, CreatedOnUtc = placedOnUtc,
            CustomOrderNumber = Guid.NewGuid().ToString("N")[..10], CustomerCurrencyCode = "USD", CurrencyRate = 1
        };
        await Repository<Order>().InsertAsync(order, false);
        foreach (var productId in productIds)
            await InsertItemAsync(order.Id, productId);
        return order;
    }

    /// <summary>
    /// The service, counting order refreshes and the recomputes of a customer's rows they make
    /// </summary>
    private sealed class CountingPurchasedProductService(CustomerSegmentsSettings settings, TestShop shop)
        : CustomerPurchasedProductService(settings, shop.DataProvider, shop.Repository<Order>(), shop.Repository<OrderItem>(),
            shop.Repository<CustomerPurchasedProduct>(), new SegmentMembershipTransaction(shop.Repository<Segment>()))
    {
        private bool _inOrderRefresh;

        public int OrderRefreshes { get; private set; }

        public int CustomerRecomputesFromOrders { get; private set; }

        public override async Task<CustomerProductsRefresh> RefreshOrderAsync(Order order, PurchaseNames names = null)
        {
            OrderRefreshes++;
            _inOrderRefresh = true;
            try
            {
                return await base.RefreshOrderAsync(order, names);
            }
            finally
            {
                _inOrderRefresh = false;
            }
        }

        public override Task<bool> RefreshCustomerAsync(int customerId)
        {
            if (_inOrderRefresh)
                CustomerRecomputesFromOrders++;
            return base.RefreshCustomerAsync(customerId);
        }

        /// <summary>
        /// Refreshes whose unlocked writes failed (a conflict, or a statement that could not run)
        /// </summary>
        public int LockedRefreshes { get; private set; }

        protected override Task<bool> RefreshLockedAsync(int customerId)
        {
            LockedRefreshes++;
            return base.RefreshLockedAsync(customerId);
        }
    }

    [Test]
    public async Task RefreshingAListOfCustomersLeavesWhatTheRecomputeWould()
    {
        var random = new Random(3);
        var customers = await CustomersAsync(8);
        var settings = new CustomerSegmentsSettings();
        var statistics = Statistics(settings);
        await statistics.RecomputeAllAsync(Now);

        for (var step = 0; step < 40; step++)
            await ChangeRandomlyAsync(random, customers[random.Next(customers.Count)].Id);
        Assert.That(await RowsAsync(), Is.Not.EquivalentTo(await ExpectedAsync(settings)), "changes to refresh");

        await statistics.RefreshCustomersAsync(customers.Select(customer => customer.Id).ToList(), Now);
        await AssertRowsAreThePurchasesAsync(settings, "after the list refresh");
    }

    [Test]
    public async Task ARefreshWithoutChangesWritesNothingAndOneWithAChangeReportsIt()
    {
        var customer = (await CustomersAsync(1))[0];
        var service = Shop.NewPurchasedProductService(new CustomerSegmentsSettings());
        var order = new Order
        {
            OrderGuid = Guid.NewGuid(), CustomerId = customer.Id, StoreId = 1, OrderTotal = 10, PaymentStatusId = (int)PaymentStatus.Paid,
            OrderStatusId = (int)OrderStatus.Complete, ShippingStatusId = 10, CreatedOnUtc = Now.AddDays(-1),
            CustomOrderNumber = "p1", CustomerCurrencyCode = "USD", CurrencyRate = 1
        };
        await Repository<Order>().InsertAsync(order, false);
        await InsertItemAsync(order.Id, 5);

        Assert.That(await service.RefreshCustomerAsync(customer.Id), Is.True, "the new product");
        Assert.That((await service.GetCustomerProductsAsync(customer.Id)).Select(row => (row.StoreId, row.ProductId)), Is.EqualTo(new[] { (1, 5) }));
        Assert.That(await service.RefreshCustomerAsync(customer.Id), Is.False, "nothing changed");

        order.OrderStatusId = (int)OrderStatus.Cancelled;
        await Repository<Order>().UpdateAsync(order, false);
        Assert.That(await service.RefreshCustomerAsync(customer.Id), Is.True, "no purchase holds the product any more");
        Assert.That(await service.GetCustomerProductsAsync(customer.Id), Is.Empty);
    }
}
