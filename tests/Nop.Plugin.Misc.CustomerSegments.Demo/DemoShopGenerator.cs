using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Shipping;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Demo;

/// <summary>
/// The sample shop's reference data the demo's segments point at
/// </summary>
public record DemoCatalog(IReadOnlyDictionary<string, int> CountryIds, IReadOnlyDictionary<string, int> CategoryIds);

/// <summary>
/// Writes a small coffee shop into nopCommerce's tables: countries, roles, categories and products, customers
/// with billing addresses, newsletter subscriptions, and orders with their items. The same seed gives the same
/// shop; dates are whole minutes before <c>anchorUtc</c>, so the shop is the same relative to the day it is made.
/// </summary>
public class DemoShopGenerator
{
    private static readonly (string Name, string Iso, int Weight, string[] Cities)[] _countries =
    [
        ("Germany", "DE", 30, ["Berlin", "Hamburg", "Munich", "Cologne"]),
        ("France", "FR", 20, ["Paris", "Lyon", "Marseille"]),
        ("United States", "US", 25, ["New York", "Chicago", "Seattle", "Austin"]),
        ("United Kingdom", "GB", 15, ["London", "Manchester", "Leeds"]),
        ("Netherlands", "NL", 10, ["Amsterdam", "Utrecht"])
    ];

    private static readonly (string Category, (string Name, decimal Price)[] Products)[] _catalog =
    [
        ("Coffee", [("Colombia Supremo 1 kg", 24.90m), ("Ethiopia Yirgacheffe 500 g", 16.50m), ("Espresso blend 1 kg", 21.00m), ("Decaf Brazil 500 g", 13.90m)]),
        ("Tea", [("Darjeeling 200 g", 11.50m), ("Sencha 100 g", 9.80m), ("Earl Grey 250 g", 8.90m)]),
        ("Brewing equipment", [("Pour-over kettle", 59.00m), ("Burr grinder", 149.00m), ("French press", 34.50m), ("Espresso machine", 649.00m)]),
        ("Books", [("The coffee atlas", 29.95m), ("Tea, a history", 19.95m)])
    ];

    private static readonly string[] _firstNames = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Luca", "Mia", "Noah", "Olga", "Paul", "Rosa", "Sam", "Tara", "Victor"];
    private static readonly string[] _lastNames = ["Adler", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hoffmann", "Jansen", "Klein", "Laurent", "Martin", "Novak", "Olsen", "Petit", "Schmidt", "Smith", "Visser", "Wagner", "Young"];

    private readonly TestShop _shop;
    private readonly Random _random;
    private readonly DateTime _anchorUtc;

    public DemoShopGenerator(TestShop shop, int seed, DateTime anchorUtc)
    {
        _shop = shop;
        _random = new Random(seed);
        _anchorUtc = new DateTime(anchorUtc.Ticks - anchorUtc.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private bool Chance(int percent) => _random.Next(100) < percent;

    /// <summary>
    /// A moment between <paramref name="minDays"/> and <paramref name="maxDays"/> days before the anchor, in whole minutes
    /// </summary>
    private DateTime DaysAgo(int minDays, int maxDays) =>
        _anchorUtc.AddMinutes(-_random.Next(minDays * 1440, maxDays * 1440 + 1));

    private Guid NewGuid()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    public async Task<DemoCatalog> GenerateAsync(int customerCount)
    {
        var countries = _countries.Select((country, index) => new Country
        {
            Name = country.Name,
            TwoLetterIsoCode = country.Iso,
            AllowsBilling = true,
            AllowsShipping = true,
            Published = true,
            DisplayOrder = index
        }).ToList();
        await _shop.Repository<Country>().InsertAsync(countries, false);

        var registered = new CustomerRole { Name = "Registered", SystemName = NopCustomerDefaults.RegisteredRoleName, Active = true, IsSystemRole = true };
        var guests = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true, IsSystemRole = true };
        await _shop.Repository<CustomerRole>().InsertAsync([registered, guests], false);

        var (categoryIds, productsByCategory) = await CreateCatalogAsync();
        var customers = await CreateCustomersAsync(customerCount, countries, registered, guests);
        await CreateOrdersAsync(customers, productsByCategory);

        return new DemoCatalog(
            countries.ToDictionary(country => country.TwoLetterIsoCode, country => country.Id),
            categoryIds);
    }

    private async Task<(Dictionary<string, int> CategoryIds, List<List<Product>> ProductsByCategory)> CreateCatalogAsync()
    {
        var categories = _catalog.Select((entry, index) => new Category
        {
            Name = entry.Category,
            Published = true,
            DisplayOrder = index,
            PageSize = 6,
            CreatedOnUtc = _anchorUtc.AddYears(-4),
            UpdatedOnUtc = _anchorUtc.AddYears(-4)
        }).ToList();
        await _shop.Repository<Category>().InsertAsync(categories, false);

        var products = _catalog.Select(entry => entry.Products.Select(product => new Product
        {
            Name = product.Name,
            Price = product.Price,
            Published = true,
            VisibleIndividually = true,
            OrderMaximumQuantity = 100,
            OrderMinimumQuantity = 1,
            CreatedOnUtc = _anchorUtc.AddYears(-4),
            UpdatedOnUtc = _anchorUtc.AddYears(-4)
        }).ToList()).ToList();
        await _shop.Repository<Product>().InsertAsync(products.SelectMany(list => list).ToList(), false);

        var mappings = products.SelectMany((list, index) => list.Select(product => new ProductCategory
        {
            ProductId = product.Id,
            CategoryId = categories[index].Id
        })).ToList();
        await _shop.Repository<ProductCategory>().InsertAsync(mappings, false);

        return (categories.ToDictionary(category => category.Name, category => category.Id), products);
    }

    private Country PickCountry(IReadOnlyList<Country> countries)
    {
        var roll = _random.Next(_countries.Sum(country => country.Weight));
        for (var i = 0; i < _countries.Length; i++)
        {
            if (roll < _countries[i].Weight)
                return countries[i];
            roll -= _countries[i].Weight;
        }

        return countries[^1];
    }

    private async Task<List<Customer>> CreateCustomersAsync(int count, IReadOnlyList<Country> countries, CustomerRole registered, CustomerRole guests)
    {
        var customers = new List<Customer>();
        var addresses = new List<Address>();
        for (var i = 0; i < count; i++)
        {
            var isGuest = Chance(4);
            var firstName = Pick(_firstNames);
            var lastName = Pick(_lastNames);
            //most customers joined over the last three years, some in the last month
            var createdOnUtc = Chance(6) ? DaysAgo(0, 29) : DaysAgo(30, 3 * 365);
            var email = isGuest ? null : $"{firstName}.{lastName}.{i + 1}@example.com".ToLowerInvariant();

            customers.Add(new Customer
            {
                CustomerGuid = NewGuid(),
                Username = email,
                Email = email,
                FirstName = isGuest ? null : firstName,
                LastName = isGuest ? null : lastName,
                Active = true,
                Deleted = !isGuest && Chance(1),
                CreatedOnUtc = createdOnUtc,
                LastActivityDateUtc = createdOnUtc,
                LastLoginDateUtc = isGuest ? null : createdOnUtc,
                RegisteredInStoreId = 1
            });

            var country = PickCountry(countries);
            var cities = _countries.First(item => item.Iso == country.TwoLetterIsoCode).Cities;
            addresses.Add(isGuest ? null : new Address
            {
                FirstName = firstName,
                LastName = lastName,
                Email = email,
                CountryId = country.Id,
                City = Pick(cities),
                Address1 = $"{_random.Next(1, 200)} Main street",
                ZipPostalCode = _random.Next(10000, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture),
                CreatedOnUtc = createdOnUtc
            });
        }

        await _shop.Repository<Customer>().InsertAsync(customers, false);
        var withAddress = addresses.Where(address => address != null).ToList();
        await _shop.Repository<Address>().InsertAsync(withAddress, false);

        var roleMappings = new List<CustomerCustomerRoleMapping>();
        var addressMappings = new List<CustomerAddressMapping>();
        var subscriptions = new List<NewsLetterSubscription>();
        for (var i = 0; i < customers.Count; i++)
        {
            var customer = customers[i];
            var address = addresses[i];
            roleMappings.Add(new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = address == null ? guests.Id : registered.Id });
            if (address == null)
                continue;

            customer.BillingAddressId = address.Id;
            customer.ShippingAddressId = address.Id;
            addressMappings.Add(new CustomerAddressMapping { CustomerId = customer.Id, AddressId = address.Id });

            //two in five subscribe to the newsletter; a few unsubscribed again
            if (Chance(40))
            {
                subscriptions.Add(new NewsLetterSubscription
                {
                    NewsLetterSubscriptionGuid = NewGuid(),
                    Email = customer.Email,
                    Active = !Chance(10),
                    StoreId = 1,
                    LanguageId = 1,
                    CreatedOnUtc = customer.CreatedOnUtc
                });
            }
        }

        await _shop.Repository<Customer>().UpdateAsync(customers, false);
        await _shop.Repository<CustomerCustomerRoleMapping>().InsertAsync(roleMappings, false);
        await _shop.Repository<CustomerAddressMapping>().InsertAsync(addressMappings, false);
        await _shop.Repository<NewsLetterSubscription>().InsertAsync(subscriptions, false);

        return customers;
    }

    private async Task CreateOrdersAsync(IReadOnlyList<Customer> customers, IReadOnlyList<List<Product>> productsByCategory)
    {
        var orders = new List<Order>();
        var itemsOfOrders = new List<List<OrderItem>>();
        foreach (var customer in customers)
        {
            //a quarter never buys; the others buy a few times, some often, until they stop coming back
            if (customer.Email == null || Chance(25))
                continue;

            var count = Chance(10) ? _random.Next(6, 16) : _random.Next(1, 5);
            var joinedDaysAgo = Math.Max(0, (int)(_anchorUtc - customer.CreatedOnUtc).TotalDays);
            var stoppedDaysAgo = Chance(50) ? 0 : _random.Next(0, joinedDaysAgo + 1);
            var favourite = _random.Next(productsByCategory.Count);

            for (var i = 0; i < count; i++)
            {
                var createdOnUtc = DaysAgo(stoppedDaysAgo, Math.Max(stoppedDaysAgo, joinedDaysAgo));
                if (createdOnUtc < customer.CreatedOnUtc)
                    createdOnUtc = customer.CreatedOnUtc;

                var items = new List<OrderItem>();
                var lines = _random.Next(1, 4);
                for (var line = 0; line < lines; line++)
                {
                    var category = Chance(70) ? favourite : _random.Next(productsByCategory.Count);
                    var product = Pick(productsByCategory[category]);
                    var quantity = product.Price > 100 ? 1 : _random.Next(1, 4);
                    items.Add(new OrderItem
                    {
                        OrderItemGuid = NewGuid(),
                        ProductId = product.Id,
                        Quantity = quantity,
                        UnitPriceInclTax = product.Price,
                        UnitPriceExclTax = product.Price,
                        PriceInclTax = product.Price * quantity,
                        PriceExclTax = product.Price * quantity
                    });
                }

                var paymentStatus = Chance(90) ? PaymentStatus.Paid : Chance(50) ? PaymentStatus.Pending : PaymentStatus.Refunded;
                var orderStatus = paymentStatus == PaymentStatus.Paid ? (Chance(3) ? OrderStatus.Cancelled : OrderStatus.Complete) : OrderStatus.Pending;
                var total = items.Sum(item => item.PriceInclTax);
                orders.Add(new Order
                {
                    OrderGuid = NewGuid(),
                    CustomOrderNumber = $"D{orders.Count + 1:D6}",
                    CustomerId = customer.Id,
                    StoreId = 1,
                    BillingAddressId = customer.BillingAddressId ?? 0,
                    ShippingAddressId = customer.ShippingAddressId,
                    OrderStatusId = (int)orderStatus,
                    PaymentStatusId = (int)paymentStatus,
                    ShippingStatusId = (int)ShippingStatus.Delivered,
                    CustomerCurrencyCode = "EUR",
                    CurrencyRate = 1,
                    OrderSubtotalInclTax = total,
                    OrderSubtotalExclTax = total,
                    OrderTotal = total,
                    RefundedAmount = paymentStatus == PaymentStatus.Refunded ? total : 0,
                    PaidDateUtc = paymentStatus == PaymentStatus.Pending ? null : createdOnUtc,
                    CreatedOnUtc = createdOnUtc
                });
                itemsOfOrders.Add(items);
            }
        }

        await _shop.Repository<Order>().InsertAsync(orders, false);
        for (var i = 0; i < orders.Count; i++)
        {
            foreach (var item in itemsOfOrders[i])
                item.OrderId = orders[i].Id;
        }

        await _shop.Repository<OrderItem>().InsertAsync(itemsOfOrders.SelectMany(items => items).ToList(), false);
    }
}
