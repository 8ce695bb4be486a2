namespace Nop.Plugin.Misc.CustomerSegments.Benchmarks;

/// <summary>
/// The fixed ids of the synthetic shop and the deterministic profile of every customer and order: the
/// generator writes rows from it and nothing here holds rows
/// </summary>
public class ShopModel
{
    public const int StoreId = 1;
    public const int AdministratorsRoleId = 1;
    public const int ForumModeratorsRoleId = 2;
    public const int RegisteredRoleId = 3;
    public const int GuestsRoleId = 4;
    public const int VendorsRoleId = 5;
    public const int CancelledStatusId = 40;
    public const int CustomerAttributeId = 1;

    private readonly double[] _productPopularity;
    private readonly decimal[] _productPrice;

    public ShopModel(ShopSize size, DateTime anchorUtc)
    {
        Size = size;
        AnchorUtc = anchorUtc;

        _productPrice = new decimal[size.Products + 1];
        _productPopularity = new double[size.Products];
        double cumulative = 0;
        for (var p = 1; p <= size.Products; p++)
        {
            var rng = new Rng(size.Seed, 3, p);
            _productPrice[p] = Math.Round((decimal)Math.Clamp(rng.LogNormal(3.6, 0.9), 2, 2000), 2);
            //Zipf: a few products sell most
            cumulative += 1.0 / Math.Pow(p, 0.9);
            _productPopularity[p - 1] = cumulative;
        }

        OrderCounts = PlanOrderCounts();
        TotalOrders = OrderCounts.Sum(c => (long)c);
    }

    public ShopSize Size { get; }

    /// <summary>
    /// "Now" of the shop: customers registered and ordered up to this moment
    /// </summary>
    public DateTime AnchorUtc { get; }

    /// <summary>
    /// Orders of each customer (index = customer id); 4 bytes per customer
    /// </summary>
    public int[] OrderCounts { get; }

    public long TotalOrders { get; }

    public int SystemCustomers => 2;

    public int AllCustomers => Size.Customers + SystemCustomers;

    public decimal PriceOf(int productId) => _productPrice[productId];

    public int CategoryOf(int productId) => (productId - 1) % Size.Categories + 1;

    public int ManufacturerOf(int productId) => (productId * 7) % Size.Manufacturers + 1;

    public string CountryName(int countryId) => $"Country {countryId:00}";

    public CustomerProfile Customer(int id)
    {
        var rng = new Rng(Size.Seed, 1, id);
        var registered = rng.Chance(0.62);
        //registrations spread over five years, a bit more in recent ones
        var ageDays = 5 * 365 * Math.Pow(rng.NextDouble(), 1.3);
        var created = AnchorUtc.AddDays(-ageDays).AddSeconds(-rng.Next(0, 86_400));
        //a few countries hold most customers
        var country = Math.Min(Size.Countries, 1 + (int)(Size.Countries * Math.Pow(rng.NextDouble(), 2.2)));
        var orderClass = rng.NextDouble();
        var subscribed = registered && rng.Chance(0.3);
        var subscriptionActive = rng.Chance(0.9);
        var hasAttributes = registered && rng.Chance(0.1);
        var hasCart = rng.Chance(registered ? 0.08 : 0.04);
        var gender = rng.Chance(0.5) ? "M" : "F";
        var birthYear = rng.Next(1950, 2006);
        var lastActivity = created.AddDays((AnchorUtc - created).TotalDays * rng.NextDouble());
        var rawOrders = rng.Pareto(1.15);
        return new CustomerProfile(id, registered, created, country, orderClass, rawOrders, subscribed, subscriptionActive,
            hasAttributes, hasCart, gender, birthYear, lastActivity);
    }

    /// <summary>
    /// Items of one order, drawn from the order's own generator (the same for the order and item streams)
    /// </summary>
    public OrderPlan Order(int orderId, CustomerProfile customer, List<(int ProductId, int Quantity, decimal Price)> items)
    {
        var rng = new Rng(Size.Seed, 2, orderId);
        var span = Math.Max(1, (AnchorUtc - customer.CreatedOnUtc).TotalSeconds);
        //orders lean towards the customer's early life: many stop buying
        var created = customer.CreatedOnUtc.AddSeconds(span * Math.Pow(rng.NextDouble(), 1.4));
        var status = rng.NextDouble() switch { < 0.05 => CancelledStatusId, < 0.09 => 20, < 0.12 => 10, _ => 30 };

        items.Clear();
        var continueChance = 1 - 1 / Size.ItemsPerOrder;
        do
        {
            var product = PickProduct(ref rng);
            var quantity = rng.Chance(0.8) ? 1 : rng.Next(2, 5);
            items.Add((product, quantity, PriceOf(product)));
        } while (rng.Chance(continueChance) && items.Count < 30);

        var subtotal = items.Sum(i => i.Price * i.Quantity);
        var shipping = subtotal >= 100 ? 0 : 7.5m;
        var tax = Math.Round(subtotal * 0.08m, 2);
        return new OrderPlan(created, status, subtotal, shipping, tax, subtotal + shipping + tax, rng.NextGuid());
    }

    private int PickProduct(ref Rng rng)
    {
        var target = rng.NextDouble() * _productPopularity[^1];
        var index = Array.BinarySearch(_productPopularity, target);
        return (index < 0 ? ~index : index) + 1;
    }

    private int[] PlanOrderCounts()
    {
        var counts = new int[AllCustomers + 1];
        var raw = new float[Size.Customers + 1];
        long fixedOrders = 0;
        double repeatRaw = 0;
        for (var id = 1; id <= Size.Customers; id++)
        {
            var c = Customer(id);
            if (c.Registered ? c.OrderClass < 0.22 : c.OrderClass < 0.94)
                continue;
            if (c.Registered ? c.OrderClass < 0.62 : true)
            {
                counts[id] = 1;
                fixedOrders++;
                continue;
            }

            raw[id] = (float)Math.Min(c.RawOrders, 400);
            repeatRaw += raw[id];
        }

        //scale the heavy buyers so that the shop has its 5 orders per customer
        var scale = (Size.TargetOrders - fixedOrders) / Math.Max(1, repeatRaw);
        for (var round = 0; round < 4; round++)
        {
            long total = fixedOrders;
            for (var id = 1; id <= Size.Customers; id++)
                if (raw[id] > 0)
                    total += Math.Max(2, (int)Math.Round(raw[id] * scale));
            scale *= (double)(Size.TargetOrders - fixedOrders) / Math.Max(1, total - fixedOrders);
        }

        for (var id = 1; id <= Size.Customers; id++)
            if (raw[id] > 0)
                counts[id] = Math.Max(2, (int)Math.Round(raw[id] * scale));

        return counts;
    }
}

public record CustomerProfile(int Id, bool Registered, DateTime CreatedOnUtc, int CountryId, double OrderClass, double RawOrders,
    bool Subscribed, bool SubscriptionActive, bool HasAttributes, bool HasCart, string Gender, int BirthYear, DateTime LastActivityUtc)
{
    public string Email => Registered ? $"customer{Id}@example.com" : null;
}

public record OrderPlan(DateTime CreatedOnUtc, int StatusId, decimal Subtotal, decimal Shipping, decimal Tax, decimal Total, Guid Guid);
