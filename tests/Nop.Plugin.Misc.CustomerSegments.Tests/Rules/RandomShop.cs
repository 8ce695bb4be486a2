using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// A random shop (fixed seed): customers with addresses, orders, items, carts, roles, newsletter subscriptions,
/// generic and customer attributes, segment memberships; kept in lists for the reference evaluator
/// </summary>
public class RandomShop
{
    public static readonly DateTime Now = new(2026, 6, 15, 12, 0, 0, DateTimeKind.Utc);

    public static readonly string[] Cities = ["Paris", "paris", "Berlin", "New York", "Lyon", "x' OR '1'='1", "100%_sure"];
    public static readonly string[] Zips = ["75001", "10115", "10001", "69001", "750"];
    public static readonly string[] Companies = ["Acme", "ACME Corp", "Globex", "Initech", ""];
    public static readonly string[] AttributeTexts = ["red", "Blue", "green & white"];
    public static readonly string[] GenericKeys = ["Source", "Tier"];
    public static readonly string[] GenericValues = ["ads", "Newsletter", "gold", "silver", ""];
    public static readonly int[] SelectAttributeValueIds = [11, 12, 13];
    public const int SelectAttributeId = 1;
    public const int TextAttributeId = 2;

    public List<Customer> Customers { get; } = [];
    public List<Address> Addresses { get; } = [];
    public List<Order> Orders { get; } = [];
    public List<OrderItem> OrderItems { get; } = [];
    public List<ProductCategory> ProductCategories { get; } = [];
    public List<ProductManufacturer> ProductManufacturers { get; } = [];
    public List<CustomerRole> Roles { get; } = [];
    public List<CustomerCustomerRoleMapping> RoleMappings { get; } = [];
    public List<NewsLetterSubscription> Subscriptions { get; } = [];
    public List<GenericAttribute> GenericAttributes { get; } = [];
    public List<ShoppingCartItem> CartItems { get; } = [];
    public List<SegmentMembership> Memberships { get; } = [];

    public static async Task<RandomShop> CreateAsync(TestShop shop, int seed, int customerCount)
    {
        var random = new Random(seed);
        var data = new RandomShop();
        DateTime date(int maxDaysBack) => Now.AddSeconds(-random.Next(0, maxDaysBack * 86400));
        Guid guid() { var bytes = new byte[16]; random.NextBytes(bytes); return new Guid(bytes); }
        T pick<T>(IReadOnlyList<T> list) => list[random.Next(list.Count)];

        foreach (var (name, systemName) in new[] { ("Registered", "Registered"), ("Guests", "Guests"), ("Administrators", "Administrators"), ("VIP", (string)null) })
            data.Roles.Add(new CustomerRole { Name = name, SystemName = systemName, Active = true, TaxExempt = name == "VIP" });
        await shop.Repository<CustomerRole>().InsertAsync(data.Roles, false);

        for (var i = 0; i < customerCount; i++)
        {
            string attributes = null;
            if (random.Next(3) == 0)
            {
                var values = SelectAttributeValueIds.Where(_ => random.Next(2) == 0).ToList();
                var xml = "<Attributes>";
                if (values.Count > 0)
                    xml += $"<CustomerAttribute ID=\"{SelectAttributeId}\">" + string.Concat(values.Select(v => $"<CustomerAttributeValue><Value>{v}</Value></CustomerAttributeValue>")) + "</CustomerAttribute>";
                if (random.Next(2) == 0)
                    xml += $"<CustomerAttribute ID=\"{TextAttributeId}\"><CustomerAttributeValue><Value>{System.Security.SecurityElement.Escape(pick(AttributeTexts))}</Value></CustomerAttributeValue></CustomerAttribute>";
                attributes = xml + "</Attributes>";
            }

            data.Customers.Add(new Customer
            {
                CustomerGuid = guid(),
                Email = random.Next(10) == 0 ? null : $"User{i}@Example.com",
                Username = $"user{i}",
                DateOfBirth = random.Next(5) == 0 ? null : Now.Date.AddDays(-random.Next(15 * 365, 80 * 365)),
                Gender = pick(new[] { "M", "F", "N", null, "" }),
                Company = random.Next(3) == 0 ? null : pick(Companies),
                VatNumber = random.Next(4) == 0 ? "FR123" : pick(new[] { null, "" }),
                CustomCustomerAttributesXML = attributes,
                Active = random.Next(8) != 0,
                Deleted = random.Next(20) == 0,
                IsSystemAccount = random.Next(30) == 0,
                IsTaxExempt = random.Next(6) == 0,
                RegisteredInStoreId = random.Next(1, 3),
                AffiliateId = random.Next(3),
                VendorId = random.Next(4) == 0 ? 1 : 0,
                CreatedOnUtc = date(1500),
                LastLoginDateUtc = random.Next(4) == 0 ? null : date(400),
                LastActivityDateUtc = date(400)
            });
        }

        await shop.Repository<Customer>().InsertAsync(data.Customers, false);

        foreach (var customer in data.Customers)
        {
            var roles = data.Roles.Where(_ => random.Next(3) == 0).ToList();
            data.RoleMappings.AddRange(roles.Select(role => new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id }));

            Address address() => new()
            {
                City = random.Next(6) == 0 ? null : pick(Cities),
                ZipPostalCode = pick(Zips),
                CountryId = random.Next(5) == 0 ? null : random.Next(1, 4),
                StateProvinceId = random.Next(3) == 0 ? null : random.Next(1, 5),
                CreatedOnUtc = Now
            };
            if (random.Next(5) != 0)
                data.Addresses.Add(address());
            if (random.Next(3) != 0)
                data.Addresses.Add(address());
        }

        await shop.Repository<Address>().InsertAsync(data.Addresses, false);
        var addressIndex = 0;
        foreach (var customer in data.Customers)
        {
            if (addressIndex < data.Addresses.Count && random.Next(4) != 0)
                customer.BillingAddressId = data.Addresses[addressIndex++].Id;
            if (addressIndex < data.Addresses.Count && random.Next(3) != 0)
                customer.ShippingAddressId = random.Next(3) == 0 && customer.BillingAddressId.HasValue ? customer.BillingAddressId : data.Addresses[addressIndex++].Id;
        }

        await shop.Repository<Customer>().UpdateAsync(data.Customers, false);
        await shop.Repository<CustomerCustomerRoleMapping>().InsertAsync(data.RoleMappings, false);

        PaymentStatus[] paymentStatuses = [PaymentStatus.Pending, PaymentStatus.Paid, PaymentStatus.Paid, PaymentStatus.Paid, PaymentStatus.Refunded, PaymentStatus.PartiallyRefunded];
        OrderStatus[] orderStatuses = [OrderStatus.Complete, OrderStatus.Complete, OrderStatus.Processing, OrderStatus.Cancelled, OrderStatus.Pending];
        foreach (var customer in data.Customers)
        {
            var count = random.Next(5) == 0 ? 0 : random.Next(1, 7);
            for (var i = 0; i < count; i++)
            {
                data.Orders.Add(new Order
                {
                    OrderGuid = guid(),
                    CustomerId = customer.Id,
                    StoreId = random.Next(4) == 0 ? 2 : 1,
                    PaymentStatusId = (int)pick(paymentStatuses),
                    OrderStatusId = (int)pick(orderStatuses),
                    Deleted = random.Next(20) == 0,
                    OrderTotal = random.Next(10, 500) + (random.Next(2) == 0 ? 0.5m : 0m),
                    CreatedOnUtc = date(random.Next(2) == 0 ? 60 : 800),
                    CustomOrderNumber = guid().ToString("N")
                });
            }
        }

        await shop.Repository<Order>().InsertAsync(data.Orders, false);
        foreach (var order in data.Orders)
            for (var i = random.Next(1, 4); i > 0; i--)
                data.OrderItems.Add(new OrderItem { OrderItemGuid = guid(), OrderId = order.Id, ProductId = random.Next(1, 9), Quantity = 1 });
        await shop.Repository<OrderItem>().InsertAsync(data.OrderItems, false);

        for (var product = 1; product <= 8; product++)
        {
            data.ProductCategories.Add(new ProductCategory { ProductId = product, CategoryId = product % 3 + 1 });
            if (product % 2 == 0)
                data.ProductCategories.Add(new ProductCategory { ProductId = product, CategoryId = 4 });
            if (product != 8)
                data.ProductManufacturers.Add(new ProductManufacturer { ProductId = product, ManufacturerId = product % 2 + 1 });
        }

        await shop.Repository<ProductCategory>().InsertAsync(data.ProductCategories, false);
        await shop.Repository<ProductManufacturer>().InsertAsync(data.ProductManufacturers, false);

        foreach (var customer in data.Customers.Where(c => c.Email != null && random.Next(3) == 0))
            data.Subscriptions.Add(new NewsLetterSubscription
            {
                NewsLetterSubscriptionGuid = guid(),
                Email = random.Next(2) == 0 ? customer.Email.ToLowerInvariant() : customer.Email,
                Active = random.Next(4) != 0,
                StoreId = random.Next(1, 3),
                CreatedOnUtc = Now
            });
        await shop.Repository<NewsLetterSubscription>().InsertAsync(data.Subscriptions, false);

        foreach (var customer in data.Customers.Where(_ => random.Next(2) == 0))
            data.GenericAttributes.Add(new GenericAttribute
            {
                KeyGroup = "Customer",
                EntityId = customer.Id,
                Key = pick(GenericKeys),
                Value = pick(GenericValues),
                StoreId = random.Next(3),
                CreatedOrUpdatedDateUTC = Now
            });
        await shop.Repository<GenericAttribute>().InsertAsync(data.GenericAttributes, false);

        foreach (var customer in data.Customers.Where(_ => random.Next(3) == 0))
            for (var i = random.Next(1, 3); i > 0; i--)
            {
                var updated = date(random.Next(2) == 0 ? 10 : 90);
                data.CartItems.Add(new ShoppingCartItem
                {
                    CustomerId = customer.Id,
                    ProductId = random.Next(1, 9),
                    ShoppingCartTypeId = random.Next(3) == 0 ? (int)ShoppingCartType.Wishlist : (int)ShoppingCartType.ShoppingCart,
                    StoreId = random.Next(1, 3),
                    Quantity = 1,
                    CreatedOnUtc = updated,
                    UpdatedOnUtc = updated
                });
            }
        await shop.Repository<ShoppingCartItem>().InsertAsync(data.CartItems, false);

        //the segments the random rules name (1 and 2 in a fresh database): active, so that their members count
        await shop.Repository<Segment>().InsertAsync(Enumerable.Range(1, 2).Select(i => new Segment
        {
            Name = $"Random segment {i}",
            SegmentTypeId = (int)SegmentType.Static,
            Active = true,
            CreatedOnUtc = Now,
            UpdatedOnUtc = Now
        }).ToList(), false);

        foreach (var customer in data.Customers.Where(_ => random.Next(3) == 0))
            data.Memberships.Add(new SegmentMembership
            {
                SegmentId = random.Next(1, 3),
                CustomerId = customer.Id,
                EnteredOnUtc = Now.AddDays(-5),
                LeftOnUtc = random.Next(3) == 0 ? Now.AddDays(-1) : null
            });
        await shop.Repository<SegmentMembership>().InsertAsync(data.Memberships, false);

        return data;
    }
}
