using LinqToDB;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Membership;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Many parallel "requests" change customers and orders of an overlapping set of customers and fire the
/// plugin's event consumers, while full rebuilds run in a loop: at the end no customer has two current rows in
/// a segment and the memberships are exactly what a quiet rebuild gives. Each request has its own services
/// (nopCommerce's are scoped per request); the random choices come from a fixed seed.
/// </summary>
public class ParallelEventStressTests : MembershipTestBase
{
    public const int Seed = 20261123;
    public const int Workers = 12;
    public const int EventsPerWorker = 30;
    public const int HotCustomers = 16;

    /// <summary>
    /// Customers no event touches: they make each statement of a full rebuild take long enough for events to run during it
    /// </summary>
    public const int ColdCustomers = 4000;

    private static readonly string[] _companies = ["Acme", "Other", null];

    public ParallelEventStressTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// The services of one request
    /// </summary>
    protected virtual SegmentRebuildService NewRequestRebuildService(ILogger logger)
    {
        return NewRebuildService(NewQueryBuilder(), logger, transaction: new CountingMembershipTransaction(Repository<Segment>()));
    }

    protected virtual SegmentReevaluationService NewRequestReevaluationService(ILogger logger)
    {
        return NewReevaluationService(NewQueryBuilder(), logger, transaction: new CountingMembershipTransaction(Repository<Segment>()));
    }

    /// <summary>
    /// The plugin's transaction, counting the transactions that failed in the database and ran again
    /// </summary>
    private sealed class CountingMembershipTransaction : SegmentMembershipTransaction
    {
        public static int Retries;

        public CountingMembershipTransaction(Nop.Data.IRepository<Segment> segmentRepository) : base(segmentRepository)
        {
        }

        protected override bool IsTransient(Exception exception)
        {
            var transient = base.IsTransient(exception);
            if (transient)
                Interlocked.Increment(ref Retries);

            return transient;
        }
    }

    private async Task<List<(int SegmentId, int CustomerId, int Rows)>> DuplicateCurrentRowsAsync() =>
        (await Repository<SegmentMembership>().Table
            .Where(membership => membership.LeftOnUtc == null)
            .Select(membership => new { membership.SegmentId, membership.CustomerId })
            .ToListAsync())
        .GroupBy(row => (row.SegmentId, row.CustomerId))
        .Where(group => group.Count() > 1)
        .Select(group => (group.Key.SegmentId, group.Key.CustomerId, group.Count()))
        .ToList();

    private async Task WorkerAsync(int worker, IReadOnlyList<int> customerIds, Mock<ILogger> logger)
    {
        var random = new Random(Seed + worker);
        for (var i = 0; i < EventsPerWorker; i++)
        {
            //a new request
            var reevaluation = NewRequestReevaluationService(logger.Object);
            var customerId = customerIds[random.Next(customerIds.Count)];
            switch (random.Next(3))
            {
                case 0:
                {
                    var company = _companies[random.Next(_companies.Length)];
                    await Repository<Customer>().Table.Where(customer => customer.Id == customerId)
                        .Set(customer => customer.Company, company)
                        .UpdateAsync();
                    await new CustomerEventConsumer(logger.Object, NewPendingCustomerService(reevaluation), reevaluation, new Mock<ISegmentRebuildRunService>(MockBehavior.Strict).Object)
                        .HandleEventAsync(new EntityUpdatedEvent<Customer>(new Customer { Id = customerId, Company = company }));
                    break;
                }
                case 1:
                {
                    var order = await OrderAsync(customerId);
                    await new OrderEventConsumer(new CustomerSegmentsSettings(), logger.Object, NewPendingCustomerService(reevaluation), reevaluation, OutsideRequest).HandleEventAsync(new OrderPlacedEvent(order));
                    break;
                }
                default:
                {
                    var orderId = await Repository<Order>().Table
                        .Where(order => order.CustomerId == customerId && !order.Deleted)
                        .OrderBy(order => order.Id)
                        .Select(order => order.Id)
                        .FirstOrDefaultAsync();
                    if (orderId == 0)
                        goto case 1;

                    await Repository<Order>().Table.Where(order => order.Id == orderId)
                        .Set(order => order.Deleted, true)
                        .UpdateAsync();
                    await new OrderEventConsumer(new CustomerSegmentsSettings(), logger.Object, NewPendingCustomerService(reevaluation), reevaluation, OutsideRequest)
                        .HandleEventAsync(new EntityDeletedEvent<Order>(new Order { Id = orderId, CustomerId = customerId, Deleted = true }));
                    break;
                }
            }
        }
    }

    [Test]
    public async Task ParallelEventsAndFullRebuildsEndInTheMembershipOfAQuietRebuild()
    {
        var random = new Random(Seed);
        var customers = new List<Customer>();
        for (var i = 0; i < HotCustomers; i++)
        {
            var customer = await CustomerAsync($"c{i}@example.com", _companies[random.Next(_companies.Length)]);
            customers.Add(customer);
            for (var orders = random.Next(3); orders > 0; orders--)
                await OrderAsync(customer.Id);
        }

        await Repository<Customer>().InsertAsync(Enumerable.Range(0, ColdCustomers).Select(i => new Customer
        {
            CustomerGuid = Guid.NewGuid(),
            Email = $"cold{i}@example.com",
            Username = $"cold{i}@example.com",
            Company = "Acme",
            Active = true,
            CreatedOnUtc = DateTime.UtcNow.AddDays(-1),
            LastActivityDateUtc = DateTime.UtcNow
        }).ToList());

        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(2)));
        var acmeBuyers = await SegmentAsync("Acme buyers", Json(MemberOf(acme.Id), OrdersAtLeast(1)));
        await RebuildService.RebuildAllSegmentsAsync();

        var logger = new Mock<ILogger>();
        var retriesBefore = CountingMembershipTransaction.Retries;
        var ids = customers.Select(customer => customer.Id).ToList();
        using var done = new CancellationTokenSource();
        var rebuilds = 0;
        var rebuildLoop = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await NewRequestRebuildService(logger.Object).RebuildAllSegmentsAsync();
                rebuilds++;
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(() => WorkerAsync(worker, ids, logger))));
        done.Cancel();
        await rebuildLoop;

        var events = Workers * EventsPerWorker;
        TestContext.Progress.WriteLine($"{Engine}: {events} events from {Workers} parallel tasks over {HotCustomers} customers (and {ColdCustomers} untouched), " +
            $"{rebuilds} concurrent full rebuilds, {CountingMembershipTransaction.Retries - retriesBefore} segment transactions failed in the database (deadlock) and ran again");
        Assert.That(rebuilds, Is.GreaterThan(0));
        Assert.That(logger.Invocations.Where(invocation => invocation.Method.Name is nameof(ILogger.ErrorAsync) or nameof(ILogger.WarningAsync))
                .Select(invocation => string.Join(" | ", invocation.Arguments)),
            Is.Empty, "no event or rebuild failed (e.g. deadlocked)");
        Assert.That(await DuplicateCurrentRowsAsync(), Is.Empty, "a customer has at most one current row in a segment");

        var afterEvents = new Dictionary<int, int[]>();
        foreach (var segment in new[] { acme, buyers, acmeBuyers })
            afterEvents[segment.Id] = await CurrentMemberIdsAsync(segment.Id);

        var quiet = await RebuildService.RebuildAllSegmentsAsync();

        Assert.That(quiet.Select(result => (result.Entered, result.Left)), Is.All.EqualTo((0, 0)),
            "a quiet rebuild after the events changes nothing");
        foreach (var segment in new[] { acme, buyers, acmeBuyers })
            Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(afterEvents[segment.Id]), segment.Name);
        Assert.That(afterEvents.Values.Sum(members => members.Length), Is.GreaterThan(0), "the segments are not trivially empty");
    }
}
