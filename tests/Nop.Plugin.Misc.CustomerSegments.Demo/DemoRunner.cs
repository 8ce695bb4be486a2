using System.Globalization;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Demo;

/// <summary>
/// A member of a segment as the demo prints it
/// </summary>
public record DemoMember(int CustomerId, string Email, string Figure);

/// <summary>
/// A segment after the rebuild: its size, every member's id and the first members
/// </summary>
public record DemoSegmentReport(Segment Segment, DemoSegmentDefinition Definition, string RuleInWords, int Size,
    IReadOnlyList<int> MemberIds, IReadOnlyList<DemoMember> FirstMembers);

public record DemoReport(int Customers, int Orders, IReadOnlyList<DemoSegmentReport> Segments);

/// <summary>
/// The demo: the sample shop, the typical segments saved through the plugin's segment service (their rules
/// validated on the way), one full rebuild, then each segment read back through the membership service
/// </summary>
public class DemoRunner
{
    public const int DefaultCustomers = 3000;
    public const int DefaultSeed = 20261123;

    private readonly TestShop _shop;
    private readonly TextWriter _out;

    public DemoRunner(TestShop shop, TextWriter output)
    {
        _shop = shop;
        _out = output;
    }

    public int MembersShown { get; init; } = 5;

    public async Task<DemoReport> RunAsync(int customers = DefaultCustomers, int seed = DefaultSeed)
    {
        var catalog = await new DemoShopGenerator(_shop, seed, DateTime.UtcNow).GenerateAsync(customers);
        var orderCount = await _shop.Repository<Order>().Table.CountAsync();
        await _out.WriteLineAsync($"Sample shop: {customers:N0} customers, {orderCount:N0} orders ({_shop.Database.Engine}, seed {seed})");

        using var services = new DemoServices(_shop, _out);
        var segmentService = services.Get<ISegmentService>();
        var rebuildService = services.Get<ISegmentRebuildService>();
        var membershipService = services.Get<ISegmentMembershipService>();
        var serializer = services.Get<ISegmentRuleSerializer>();
        var words = new RuleInWords(services.Get<IRuleFieldCatalog>(), await ValueNamesAsync());

        var definitions = DemoSegments.Create(catalog);
        var segments = new List<Segment>();
        foreach (var definition in definitions)
        {
            var segment = new Segment
            {
                Name = definition.Name,
                Description = definition.Description,
                SegmentTypeId = (int)SegmentType.Dynamic,
                RuleJson = definition.RuleJson,
                RuleSchemaVersion = SegmentRule.CurrentSchemaVersion,
                Active = true
            };
            await segmentService.InsertSegmentAsync(segment);
            segments.Add(segment);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var results = await rebuildService.RebuildAllSegmentsAsync();
        await _out.WriteLineAsync($"Rebuilt {results.Count} segments in {watch.ElapsedMilliseconds:N0} ms");
        await _out.WriteLineAsync();

        var reports = new List<DemoSegmentReport>();
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = await segmentService.GetSegmentByIdAsync(segments[i].Id);
            var definition = definitions[i];
            var members = await membershipService.GetMembersAsync(segment.Id);
            var memberIds = members.Select(member => member.CustomerId).ToList();
            var size = await membershipService.CountMembersAsync(segment.Id);
            var shown = memberIds.Order().Take(MembersShown).ToList();
            var first = await DescribeMembersAsync(shown, definition, segment.LastRebuiltOnUtc ?? DateTime.UtcNow);
            var rule = serializer.Parse(segment.RuleJson).Rule;

            var report = new DemoSegmentReport(segment, definition, words.Describe(rule), size, memberIds, first);
            reports.Add(report);
            await PrintAsync(report);
        }

        return new DemoReport(customers, orderCount, reports);
    }

    private async Task PrintAsync(DemoSegmentReport report)
    {
        await _out.WriteLineAsync($"{report.Segment.Name}: {report.Size:N0} members");
        await _out.WriteLineAsync($"  {report.Definition.Description}");
        await _out.WriteLineAsync($"  rule: {report.RuleInWords}");
        foreach (var member in report.FirstMembers)
            await _out.WriteLineAsync($"    {member.Email,-42} {member.Figure}");
        if (report.Size > report.FirstMembers.Count)
            await _out.WriteLineAsync($"    ... and {report.Size - report.FirstMembers.Count:N0} more");
        await _out.WriteLineAsync();
    }

    private async Task<Func<RuleValueSource, int, string>> ValueNamesAsync()
    {
        var countries = (await _shop.Repository<Country>().Table.ToListAsync()).ToDictionary(country => country.Id, country => country.Name);
        var categories = (await _shop.Repository<Category>().Table.ToListAsync()).ToDictionary(category => category.Id, category => category.Name);

        return (source, id) => source switch
        {
            RuleValueSource.Countries => countries.GetValueOrDefault(id),
            RuleValueSource.Categories => categories.GetValueOrDefault(id),
            _ => null
        };
    }

    /// <summary>
    /// The members' emails and the figure the segment is about, read straight from the shop's rows
    /// (purchases as the plugin's default settings count them: paid, not cancelled, not deleted)
    /// </summary>
    private async Task<IReadOnlyList<DemoMember>> DescribeMembersAsync(IList<int> customerIds, DemoSegmentDefinition definition, DateTime nowUtc)
    {
        var customers = await _shop.Repository<Customer>().Table.Where(customer => customerIds.Contains(customer.Id)).ToListAsync();
        var paid = (int)PaymentStatus.Paid;
        var cancelled = (int)Nop.Core.Domain.Orders.OrderStatus.Cancelled;
        var purchases = await _shop.Repository<Order>().Table
            .Where(order => customerIds.Contains(order.CustomerId) && !order.Deleted && order.PaymentStatusId == paid && order.OrderStatusId != cancelled)
            .ToListAsync();
        var addressIds = customers.Select(customer => customer.BillingAddressId ?? 0).ToList();
        var addresses = await _shop.Repository<Address>().Table.Where(address => addressIds.Contains(address.Id)).ToListAsync();
        var categoryId = definition.CategoryId;
        var categoryProductIds = _shop.Repository<ProductCategory>().Table.Where(mapping => mapping.CategoryId == categoryId).Select(mapping => mapping.ProductId);
        var orderIds = purchases.Select(order => order.Id).ToList();
        var ordersWithCategory = await _shop.Repository<OrderItem>().Table
            .Where(item => orderIds.Contains(item.OrderId) && categoryProductIds.Contains(item.ProductId))
            .Select(item => item.OrderId)
            .Distinct()
            .ToListAsync();

        string figure(Customer customer)
        {
            var own = purchases.Where(order => order.CustomerId == customer.Id).ToList();
            DateTime? last = own.Count == 0 ? null : own.Max(order => order.CreatedOnUtc);
            return definition.Figure switch
            {
                DemoFigure.TotalSpent => $"spent {DemoSegments.Format(own.Sum(order => order.OrderTotal))} in {Orders(own.Count)}",
                DemoFigure.DaysSinceLastOrder => last.HasValue ? $"{Orders(own.Count)}, last {(int)(nowUtc - last.Value).TotalDays} days ago" : "no orders",
                DemoFigure.RegisteredOn => $"registered {customer.CreatedOnUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}",
                DemoFigure.LastOrderDate => last.HasValue ? $"last order {last.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" : "no orders",
                DemoFigure.City => addresses.FirstOrDefault(address => address.Id == customer.BillingAddressId)?.City ?? "",
                DemoFigure.OrdersWithCategory => $"{own.Count(order => ordersWithCategory.Contains(order.Id))} of {own.Count} orders with it",
                _ => ""
            };
        }

        static string Orders(int count) => count == 1 ? "1 order" : $"{count} orders";

        return customerIds
            .Select(id => customers.First(customer => customer.Id == id))
            .Select(customer => new DemoMember(customer.Id, customer.Email, figure(customer)))
            .ToList();
    }
}
