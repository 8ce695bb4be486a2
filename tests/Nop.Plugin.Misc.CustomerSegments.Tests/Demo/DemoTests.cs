using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Demo;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Demo;

/// <summary>
/// The demo (build/build.sh demo) on a small shop: each segment it prints holds exactly the customers a plain
/// C# reading of the shop's rows finds for the segment's meaning, and the printed sizes and members are those
/// </summary>
public class DemoTests : DatabaseTestBase
{
    private DemoReport _report;
    private string _output;
    private Rows _rows;

    public DemoTests(DatabaseEngine engine) : base(engine)
    {
    }

    [OneTimeSetUp]
    public async Task RunDemoAsync()
    {
        var output = new StringWriter();
        _report = await new DemoRunner(Shop, output).RunAsync(customers: 600, seed: 7);
        _output = output.ToString();
        _rows = await Rows.ReadAsync(Shop);
    }

    private sealed class Rows
    {
        public List<Customer> Customers;
        public List<Order> Orders;
        public List<OrderItem> Items;
        public List<ProductCategory> ProductCategories;
        public List<Category> Categories;
        public List<Address> Addresses;
        public List<Country> Countries;
        public List<NewsLetterSubscription> Subscriptions;
        public List<CustomerRole> Roles;
        public List<CustomerCustomerRoleMapping> RoleMappings;

        public static async Task<Rows> ReadAsync(TestShop shop) => new()
        {
            Customers = await shop.Repository<Customer>().Table.ToListAsync(),
            Orders = await shop.Repository<Order>().Table.ToListAsync(),
            Items = await shop.Repository<OrderItem>().Table.ToListAsync(),
            ProductCategories = await shop.Repository<ProductCategory>().Table.ToListAsync(),
            Categories = await shop.Repository<Category>().Table.ToListAsync(),
            Addresses = await shop.Repository<Address>().Table.ToListAsync(),
            Countries = await shop.Repository<Country>().Table.ToListAsync(),
            Subscriptions = await shop.Repository<NewsLetterSubscription>().Table.ToListAsync(),
            Roles = await shop.Repository<CustomerRole>().Table.ToListAsync(),
            RoleMappings = await shop.Repository<CustomerCustomerRoleMapping>().Table.ToListAsync()
        };

        private bool HasRole(Customer customer, string systemName) =>
            RoleMappings.Any(m => m.CustomerId == customer.Id && Roles.Any(r => r.Id == m.CustomerRoleId && r.SystemName == systemName));

        //not deleted, not a system account, not a guest (the plugin's default settings)
        public bool Eligible(Customer customer) =>
            !customer.Deleted && !customer.IsSystemAccount
            && (!HasRole(customer, NopCustomerDefaults.GuestsRoleName) || HasRole(customer, NopCustomerDefaults.RegisteredRoleName));

        //paid, not cancelled, not deleted
        public List<Order> Purchases(Customer customer) => Orders
            .Where(o => o.CustomerId == customer.Id && !o.Deleted && o.PaymentStatusId == (int)PaymentStatus.Paid && o.OrderStatusId != (int)OrderStatus.Cancelled)
            .ToList();

        public bool HasCategory(Order order, string category)
        {
            var categoryId = Categories.Single(c => c.Name == category).Id;
            return Items.Any(i => i.OrderId == order.Id && ProductCategories.Any(pc => pc.ProductId == i.ProductId && pc.CategoryId == categoryId));
        }

        public string BillingCountry(Customer customer) =>
            Countries.FirstOrDefault(country => country.Id == Addresses.FirstOrDefault(a => a.Id == customer.BillingAddressId)?.CountryId)?.TwoLetterIsoCode;

        public bool Subscribed(Customer customer) =>
            !string.IsNullOrEmpty(customer.Email)
            && Subscriptions.Any(s => s.Active && string.Equals(s.Email, customer.Email, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The meaning of each demo segment, read from the rows
    /// </summary>
    private Func<Customer, bool> Meaning(string segmentName, DateTime now)
    {
        DateTime? last(Customer c) => _rows.Purchases(c) is { Count: > 0 } own ? own.Max(o => o.CreatedOnUtc) : null;

        return segmentName switch
        {
            DemoSegments.Vip => c => _rows.Purchases(c).Sum(o => o.OrderTotal) >= 500,
            DemoSegments.AtRisk => c => _rows.Purchases(c).Count >= 3 && last(c) <= now.AddDays(-90) && last(c) > now.AddDays(-366),
            DemoSegments.NewCustomers => c => c.CreatedOnUtc >= now.AddDays(-30),
            DemoSegments.Lapsed => c => last(c) < now.AddDays(-365),
            DemoSegments.GermanSubscribers => c => _rows.Subscribed(c) && _rows.BillingCountry(c) == "DE",
            DemoSegments.CoffeeBuyers => c => _rows.Purchases(c).Any(o => _rows.HasCategory(o, "Coffee")),
            DemoSegments.TeaNoEquipment => c =>
                _rows.Purchases(c).Any(o => o.CreatedOnUtc >= now.AddDays(-180) && _rows.HasCategory(o, "Tea"))
                && !_rows.Purchases(c).Any(o => _rows.HasCategory(o, "Brewing equipment")),
            _ => throw new AssertionException($"The test does not know the demo segment '{segmentName}'")
        };
    }

    [Test]
    public void TheDemoDefinesTheTypicalSegments()
    {
        Assert.That(_report.Segments.Select(s => s.Segment.Name), Is.EquivalentTo(new[]
        {
            DemoSegments.Vip, DemoSegments.AtRisk, DemoSegments.NewCustomers, DemoSegments.Lapsed,
            DemoSegments.GermanSubscribers, DemoSegments.CoffeeBuyers, DemoSegments.TeaNoEquipment
        }));
        Assert.That(_rows.Customers, Has.Count.EqualTo(600));
        Assert.That(_report.Orders, Is.EqualTo(_rows.Orders.Count).And.GreaterThan(600));
    }

    [Test]
    public void EachSegmentHoldsExactlyTheCustomersOfItsMeaning()
    {
        var eligible = _rows.Customers.Where(_rows.Eligible).ToList();
        Assert.That(eligible.Count, Is.LessThan(_rows.Customers.Count), "the shop has guests and deleted customers the segments leave out");

        foreach (var segment in _report.Segments)
        {
            //the moment the rebuild measured relative dates from
            var now = segment.Segment.LastRebuiltOnUtc ?? throw new AssertionException($"{segment.Segment.Name} was not rebuilt");
            var expected = eligible.Where(Meaning(segment.Segment.Name, now)).Select(c => c.Id).ToList();

            Assert.That(segment.MemberIds, Is.EquivalentTo(expected), segment.Segment.Name);
            Assert.That(segment.Size, Is.EqualTo(expected.Count), segment.Segment.Name);
            Assert.That(expected.Count, Is.InRange(1, eligible.Count - 1), $"{segment.Segment.Name} splits the shop");
        }
    }

    [Test]
    public void ThePrintedSegmentsShowTheirSizeRuleAndFirstMembers()
    {
        foreach (var segment in _report.Segments)
        {
            Assert.That(_output, Does.Contain($"{segment.Segment.Name}: {segment.Size:N0} members"));
            Assert.That(_output, Does.Contain($"rule: {segment.RuleInWords}"));
            Assert.That(segment.FirstMembers, Has.Count.EqualTo(Math.Min(5, segment.Size)));
            foreach (var member in segment.FirstMembers)
            {
                Assert.That(segment.MemberIds, Does.Contain(member.CustomerId));
                var customer = _rows.Customers.Single(c => c.Id == member.CustomerId);
                Assert.That(member.Email, Is.EqualTo(customer.Email));
                Assert.That(_output, Does.Contain(member.Email));
            }
        }

        var vip = _report.Segments.Single(s => s.Segment.Name == DemoSegments.Vip);
        Assert.That(vip.RuleInWords, Is.EqualTo("Total spent is at least 500"));
        foreach (var member in vip.FirstMembers)
        {
            var spent = _rows.Purchases(_rows.Customers.Single(c => c.Id == member.CustomerId)).Sum(o => o.OrderTotal);
            Assert.That(member.Figure, Does.StartWith($"spent {DemoSegments.Format(spent)} in"));
        }

        Assert.That(_report.Segments.Single(s => s.Segment.Name == DemoSegments.GermanSubscribers).RuleInWords,
            Is.EqualTo("Newsletter subscriber is Yes and Billing country is one of Germany"));
    }

    [Test]
    public async Task TheSameSeedMakesTheSameShop()
    {
        await using var other = await TestShop.CreateAsync(Engine, "demoagain");
        var again = await new DemoRunner(other, TextWriter.Null).RunAsync(customers: 600, seed: 7);

        Assert.That(again.Orders, Is.EqualTo(_report.Orders));
        Assert.That(again.Segments.Select(s => s.Size), Is.EqualTo(_report.Segments.Select(s => s.Size)));
        Assert.That(await other.Repository<Customer>().Table.OrderBy(c => c.Id).Select(c => c.Email).ToListAsync(),
            Is.EqualTo(_rows.Customers.OrderBy(c => c.Id).Select(c => c.Email)));
    }
}
