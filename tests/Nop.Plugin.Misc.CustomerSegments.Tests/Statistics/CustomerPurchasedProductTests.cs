using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Statistics;

/// <summary>
/// The products bought per customer on real databases: the full recompute holds what the orders say, and after random
/// order and item changes the refresh of one customer, and of a batch, leaves exactly the rows a recompute would
/// </summary>
public class CustomerPurchasedProductTests : DatabaseTestBase
{
    private static readonly DateTime Now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    public CustomerPurchasedProductTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public async Task ResetAsync()
    {
        await Repository<CustomerPurchasedProduct>().DeleteAsync(_ => true);
        await Repository<OrderItem>().DeleteAsync(_ => true);
        await Repository<Order>().DeleteAsync(_ => true);
        await Repository<Customer>().DeleteAsync(_ => true);
    }

    private async Task<List<Customer>> CustomersAsync(int count)
    {
        var customers = Enumerable.Range(0, count).Select(_ => new Customer
        {
            CustomerGuid = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@example.com", Active = true, CreatedOnUtc = Now.AddYears(-1), LastActivityDateUtc = Now
        }).ToList();
        foreach (var customer in customers)
            await Repository<Customer>().InsertAsync(customer);
        return customers;
    }

    private static readonly (PaymentStatus Payment, OrderStatus Status)[] States =
    [
        (PaymentStatus.Paid, OrderStatus.Complete), (PaymentStatus.Paid, OrderStatus.Processing), (PaymentStatus.Pending, OrderStatus.Pending),
        (PaymentStatus.Paid, OrderStatus.Cancelled), (PaymentStatus.Refunded, OrderStatus.Complete), (PaymentStatus.Voided, OrderStatus.Cancelled)
    ];

    private async Task<Order> OrderAsync(Random random, int customerId)
    {
        var (payment, status) = States[random.Next(States.Length)];
        var order = new Order
        {
            OrderGuid = Guid.NewGuid(), CustomerId = customerId, StoreId = random.Next(3), OrderTotal = 10m,
            PaymentStatusId = (int)payment, OrderStatusId = (int)status, ShippingStatusId = 10,
            CreatedOnUtc = Now.AddSeconds(-random.Next(0, 400 * 86400)), CustomOrderNumber = Guid.NewGuid().ToString("N")[..10],
            CustomerCurrencyCode = "USD", CurrencyRate = 1, Deleted = random.Next(10) == 0
        };
        await Repository<Order>().InsertAsync(order);
        for (var i = random.Next(0, 4); i > 0; i--)
            await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = random.Next(1, 8), Quantity = 1 });
        return order;
    }

    /// <summary>
    /// What the orders say, computed in C#: per customer, store and product, the last purchase holding the product
    /// </summary>
    private async Task<Dictionary<(int, int, int), DateTime>> ExpectedAsync(CustomerSegmentsSettings settings)
    {
        var paymentIds = SegmentQueries.PurchasePaymentStatusIds(settings);
        var excluded = SegmentQueries.ExcludedOrderStatusIds(settings);
        var orders = (await Repository<Order>().Table.ToListAsync())
            .Where(o => !o.Deleted && paymentIds.Contains(o.PaymentStatusId) && !excluded.Contains(o.OrderStatusId))
            .ToDictionary(o => o.Id);
        return (await Repository<OrderItem>().Table.ToListAsync())
            .Where(i => orders.ContainsKey(i.OrderId))
            .GroupBy(i => (orders[i.OrderId].CustomerId, orders[i.OrderId].StoreId, i.ProductId))
            .ToDictionary(g => g.Key, g => g.Max(i => orders[i.OrderId].CreatedOnUtc));
    }

    private async Task<Dictionary<(int, int, int), DateTime>> RowsAsync() =>
        (await Repository<CustomerPurchasedProduct>().Table.ToListAsync()).ToDictionary(r => (r.CustomerId, r.StoreId, r.ProductId), r => r.LastPurchasedOnUtc);

    private static void AssertSame(Dictionary<(int, int, int), DateTime> actual, Dictionary<(int, int, int), DateTime> expected, string step)
    {
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys), step);
        foreach (var (key, date) in expected)
            Assert.That(actual[key], Is.EqualTo(date).Within(TimeSpan.FromSeconds(1)), $"{step}: {key}");
    }

    [Test]
    public async Task TheRecomputeHoldsWhatTheOrdersSayAndRefreshesAfterRandomChangesLeaveTheRecomputesRows()
    {
        var random = new Random(20261123);
        var settings = new CustomerSegmentsSettings();
        var service = Shop.NewPurchasedProductService(settings);
        var customers = await CustomersAsync(8);
        var orders = new List<Order>();
        foreach (var customer in customers)
        for (var i = random.Next(0, 5); i > 0; i--)
            orders.Add(await OrderAsync(random, customer.Id));

        await service.RecomputeAllAsync();
        var expected = await ExpectedAsync(settings);
        Assert.That(expected, Is.Not.Empty);
        AssertSame(await RowsAsync(), expected, "recompute");

        for (var step = 0; step < 60; step++)
        {
            var order = orders[random.Next(orders.Count)];
            var touched = new List<int> { order.CustomerId };
            var items = await Repository<OrderItem>().Table.Where(i => i.OrderId == order.Id).ToListAsync();
            string change;
            switch (random.Next(7))
            {
                case 0:
                    change = "order placed";
                    orders.Add(await OrderAsync(random, customers[random.Next(customers.Count)].Id));
                    touched = [orders[^1].CustomerId];
                    break;
                case 1:
                    change = "status";
                    var (payment, status) = States[random.Next(States.Length)];
                    order.PaymentStatusId = (int)payment;
                    order.OrderStatusId = (int)status;
                    await Repository<Order>().UpdateAsync(order);
                    break;
                case 2:
                    change = "deleted";
                    order.Deleted = !order.Deleted;
                    await Repository<Order>().UpdateAsync(order);
                    break;
                case 3:
                    change = "store";
                    order.StoreId = (order.StoreId + 1) % 3;
                    await Repository<Order>().UpdateAsync(order);
                    break;
                case 4:
                    change = "item added";
                    await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = random.Next(1, 8), Quantity = 1 });
                    break;
                case 5 when items.Count > 0:
                    change = "item removed";
                    await Repository<OrderItem>().DeleteAsync(items[random.Next(items.Count)]);
                    break;
                case 6 when items.Count > 0:
                    change = "item's product changed";
                    var item = items[random.Next(items.Count)];
                    item.ProductId = random.Next(1, 8);
                    await Repository<OrderItem>().UpdateAsync(item);
                    break;
                default:
                    change = "customer moved";
                    order.CustomerId = customers[random.Next(customers.Count)].Id;
                    touched.Add(order.CustomerId);
                    await Repository<Order>().UpdateAsync(order);
                    break;
            }

            if (step % 3 == 2)
                await service.RefreshCustomersAsync(touched.Append(customers[random.Next(customers.Count)].Id).ToList());
            else
                foreach (var customerId in touched)
                    await service.RefreshCustomerAsync(customerId);

            AssertSame(await RowsAsync(), await ExpectedAsync(settings), $"step {step}: {change}");
        }

        var refreshed = await RowsAsync();
        await service.RecomputeAllAsync();
        AssertSame(refreshed, await RowsAsync(), "as the recompute");
        //a refresh of a current customer writes nothing
        Assert.That(await service.RefreshCustomerAsync(customers[0].Id), Is.False);
    }

    [Test]
    public async Task TheInPlaceRefreshOfTheStatisticsCatchesAnOrderPlacedWithoutEvent()
    {
        var random = new Random(7);
        var settings = new CustomerSegmentsSettings();
        var statistics = new Services.CustomerOrderStatisticsService(settings, DataProvider, new Moq.Mock<Nop.Services.Configuration.ISettingService>().Object,
            Repository<Customer>(), Repository<CustomerCustomerRoleMapping>(), Repository<CustomerRole>(), Repository<Order>(),
            Repository<CustomerOrderStatistics>(), new Services.SegmentMembershipTransaction(Repository<Segment>()), Shop.NewPurchasedProductService(settings));
        var customers = await CustomersAsync(3);
        await OrderAsync(random, customers[0].Id);
        await statistics.RecomputeAllAsync(Now.AddDays(-1));
        Assert.That(statistics.AreCurrent(), Is.True);

        var order = new Order
        {
            OrderGuid = Guid.NewGuid(), CustomerId = customers[1].Id, StoreId = 1, OrderTotal = 10m, PaymentStatusId = (int)PaymentStatus.Paid,
            OrderStatusId = (int)OrderStatus.Complete, ShippingStatusId = 10, CreatedOnUtc = Now.AddHours(-1),
            CustomOrderNumber = "x1", CustomerCurrencyCode = "USD", CurrencyRate = 1
        };
        await Repository<Order>().InsertAsync(order);
        await Repository<OrderItem>().InsertAsync(new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = 3, Quantity = 1 });

        await statistics.RefreshAllAsync(Now);
        AssertSame(await RowsAsync(), await ExpectedAsync(settings), "in place");
        Assert.That((await RowsAsync()).Keys, Does.Contain((customers[1].Id, 1, 3)));
    }
}
