using LinqToDB;
using Moq;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Membership;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Data;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Rebuilds and per-customer re-evaluations that fail at each write statement (an exception before or after it,
/// or the server session killed from another connection): every segment is left either as it was or as it
/// should be, and the next run completes it. On SQLite (no System.Transactions in Microsoft.Data.Sqlite, and not
/// an engine nopCommerce runs on) the weaker promise holds: each customer is as before or as should be.
/// </summary>
public class RebuildFaultTests : MembershipTestBase
{
    /// <summary>
    /// Eligible customers in no segment, put between the real ones so that a re-evaluation runs in two batches (a
    /// customer no segment has or can have is left out of a re-evaluation)
    /// </summary>
    private async Task<List<int>> PaddingCustomerIdsAsync()
    {
        var padding = Enumerable.Range(0, SegmentRebuildService.CustomerBatchSize + 100).Select(i => new Customer
        {
            CustomerGuid = Guid.NewGuid(),
            Username = $"padding-{i}",
            Active = true,
            CreatedOnUtc = DateTime.UtcNow.AddDays(-1),
            LastActivityDateUtc = DateTime.UtcNow
        }).ToList();
        await Repository<Customer>().InsertAsync(padding, false);

        return await Repository<Customer>().Table.Where(customer => customer.Username.StartsWith("padding-")).Select(customer => customer.Id).ToListAsync();
    }

    private int _faultPoints;
    private int _recovered;

    public RebuildFaultTests(DatabaseEngine engine) : base(engine)
    {
    }

    [OneTimeTearDown]
    public void Report() => TestContext.Progress.WriteLine(
        $"{Engine}: {_faultPoints} fault points injected, {_recovered} of them completed by running the transaction again");

    private sealed record Scenario(Segment Acme, Segment Buyers, int[] CustomerIds);

    /// <summary>
    /// Two segments, each with one customer who is about to leave and one about to enter
    /// </summary>
    private async Task<Scenario> ScenarioAsync()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var cid = await CustomerAsync("cid@example.com", "Other");
        var dan = await CustomerAsync("dan@example.com", "Other");
        await OrderAsync(ann.Id);
        var cidOrder = await OrderAsync(cid.Id);
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await RebuildService.RebuildAllSegmentsAsync();

        //bob leaves Acme, dan enters it; cid leaves the buyers, bob enters them
        await SetCompanyAsync(bob.Id, "Other");
        await SetCompanyAsync(dan.Id, "Acme");
        cidOrder.Deleted = true;
        await Repository<Order>().UpdateAsync(cidOrder);
        await OrderAsync(bob.Id);

        return new Scenario(acme, buyers, [ann.Id, bob.Id, cid.Id, dan.Id]);
    }

    private Task SetCompanyAsync(int customerId, string company) =>
        Repository<Customer>().Table.Where(customer => customer.Id == customerId)
            .Set(customer => customer.Company, company)
            .UpdateAsync();

    /// <summary>
    /// A segment's rows as "customer+" (current) and "customer-" (left), without ids and times
    /// </summary>
    private async Task<Dictionary<int, string>> StateAsync(params Segment[] segments)
    {
        var rows = await Repository<SegmentMembership>().Table.ToListAsync();
        return segments.ToDictionary(segment => segment.Id, segment => string.Join(" ", rows
            .Where(row => row.SegmentId == segment.Id)
            .OrderBy(row => row.CustomerId).ThenBy(row => row.LeftOnUtc == null)
            .Select(row => $"{row.CustomerId}{(row.LeftOnUtc == null ? "+" : "-")}")));
    }

    private static HashSet<string> Current(string state) =>
        state.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(row => row.EndsWith('+')).ToHashSet();

    private async Task<List<SegmentMembership>> SnapshotAsync() =>
        (await Repository<SegmentMembership>().Table.ToListAsync()).OrderBy(row => row.Id).ToList();

    private async Task RestoreAsync(List<SegmentMembership> snapshot)
    {
        await Repository<SegmentMembership>().DeleteAsync(_ => true);
        await Repository<SegmentMembership>().InsertAsync(snapshot.Select(row => new SegmentMembership
        {
            SegmentId = row.SegmentId,
            CustomerId = row.CustomerId,
            EnteredOnUtc = row.EnteredOnUtc,
            LeftOnUtc = row.LeftOnUtc
        }).ToList());
    }

    /// <summary>
    /// The rebuild and the re-evaluation over a data provider whose write statements the interceptor can make fail
    /// </summary>
    private sealed record FaultyServices(SegmentRebuildService Rebuild, SegmentReevaluationService Reevaluation, WriteFaultInterceptor Faults);

    private FaultyServices NewFaultyServices()
    {
        var faults = new WriteFaultInterceptor(Database);
        var shop = new TestShop(Database, new TestDataProvider(Database, faults));
        var queries = NewQueryBuilder(shop: shop);
        //the faults go into the membership writes; the order statistics (refreshed before them) stay on the plain connection
        var statistics = NewStatisticsService();
        var transaction = new SegmentMembershipTransaction(shop.Repository<Segment>());
        var rebuild = new SegmentRebuildService(Logger.Object, shop.DataProvider, shop.Repository<Segment>(), shop.Repository<SegmentMembership>(),
            CacheInvalidator, queries, Serializer, Validator, new SegmentRuleAnalyzer(Catalog), statistics, transaction, NewSynchronizer(shop));
        var reevaluation = new SegmentReevaluationService(Logger.Object, shop.DataProvider, shop.Repository<Segment>(), shop.Repository<SegmentMembership>(),
            CacheInvalidator, queries, Serializer, Validator, new SegmentRuleAnalyzer(Catalog), statistics, transaction,
            new ActiveSegmentReader(shop.Repository<Segment>(), StaticCache), new CustomerReevaluationLock());

        return new FaultyServices(rebuild, reevaluation, faults);
    }

    private IEnumerable<WriteFault> Faults() =>
        WriteFaultInterceptor.CanKill(Engine)
            ? [WriteFault.ThrowBefore, WriteFault.ThrowAfter, WriteFault.KillConnection]
            : [WriteFault.ThrowBefore, WriteFault.ThrowAfter];

    private int ErrorsLogged() =>
        Logger.Invocations.Count(invocation => invocation.Method.Name == nameof(ILogger.ErrorAsync));

    /// <summary>
    /// Runs <paramref name="runAsync"/> once cleanly to learn its write statements and the state it should reach,
    /// then once per write statement and fault, from the same starting state, and checks each segment after the
    /// fault and after the next (clean) run
    /// </summary>
    private async Task<int> InjectEverywhereAsync(Scenario scenario, Func<FaultyServices, Task> runAsync)
    {
        var services = NewFaultyServices();
        var faults = services.Faults;
        var segments = new[] { scenario.Acme, scenario.Buyers };
        var snapshot = await SnapshotAsync();
        var before = await StateAsync(segments);

        faults.Arm(0);
        await runAsync(services);
        var writes = faults.Writes;
        var expected = await StateAsync(segments);
        Assert.That(expected, Is.Not.EqualTo(before), "the scenario changes both segments");
        Assert.That(writes, Is.GreaterThanOrEqualTo(2 * segments.Length), "an UPDATE and an INSERT per segment at least");

        var points = 0;
        for (var failAt = 1; failAt <= writes; failAt++)
        {
            foreach (var fault in Faults())
            {
                var point = $"{fault} at write {failAt} of {writes}";
                await RestoreAsync(snapshot);
                var errorsBefore = ErrorsLogged();

                faults.Arm(failAt, fault);
                try
                {
                    await runAsync(services);
                }
                catch (Exception exception)
                {
                    Assert.Fail($"{point}: the failure of one segment reaches the caller: {exception}");
                }

                Assert.That(faults.Injected, Is.EqualTo(1), point);
                points++;
                //a transaction that failed in the database (e.g. its session was killed) runs again and completes
                var recovered = ErrorsLogged() == errorsBefore;
                if (recovered)
                    Interlocked.Increment(ref _recovered);

                var afterFault = await StateAsync(segments);
                foreach (var segment in segments)
                {
                    var state = afterFault[segment.Id];
                    if (Engine == DatabaseEngine.Sqlite)
                    {
                        var (was, now, should) = (Current(before[segment.Id]), Current(state), Current(expected[segment.Id]));
                        foreach (var member in was.Union(now).Union(should))
                        {
                            Assert.That(now.Contains(member) == was.Contains(member) || now.Contains(member) == should.Contains(member), Is.True,
                                $"{point}: in segment {segment.Name}, customer {member} is as before or as should be ({state})");
                        }
                    }
                    else
                    {
                        Assert.That(state, Is.AnyOf(before[segment.Id], expected[segment.Id]),
                            $"{point}: segment {segment.Name} is as it was or as it should be");
                    }

                    var currentRows = state.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(row => row.EndsWith('+')).ToList();
                    Assert.That(currentRows, Is.Unique, $"{point}: one current row per member");
                }

                if (recovered)
                    Assert.That(afterFault, Is.EqualTo(expected), $"{point}: not logged, so run again and completed");
                else
                    Assert.That(ErrorsLogged(), Is.EqualTo(errorsBefore + 1), $"{point}: the failure is logged once");

                faults.Arm(0);
                await runAsync(services);
                Assert.That(await StateAsync(segments), Is.EqualTo(expected), $"{point}: the next run completes the segments");
            }
        }

        Interlocked.Add(ref _faultPoints, points);
        return points;
    }

    [Test]
    public async Task AFullRebuildThatFailsAtAnyStatementLeavesEachSegmentAsItWasOrDoneAndTheNextOneCompletesIt()
    {
        var scenario = await ScenarioAsync();

        var points = await InjectEverywhereAsync(scenario, services => services.Rebuild.RebuildAllSegmentsAsync());

        TestContext.Progress.WriteLine($"{Engine}: full rebuild, {points} fault points");
        Assert.That(points, Is.GreaterThanOrEqualTo(4 * Faults().Count()));
    }

    [Test]
    public async Task AReevaluationInTwoBatchesThatFailsAtAnyStatementLeavesEachSegmentAsItWasOrDoneAndTheNextOneCompletesIt()
    {
        var scenario = await ScenarioAsync();
        //ann and bob in the first batch, cid and dan in the second
        var ids = scenario.CustomerIds.Take(2).Concat(await PaddingCustomerIdsAsync()).Concat(scenario.CustomerIds.Skip(2)).ToList();

        var points = await InjectEverywhereAsync(scenario,
            services => services.Reevaluation.ReevaluateCustomersAsync(ids, RuleDataSources.Customer | RuleDataSources.Orders));

        TestContext.Progress.WriteLine($"{Engine}: per-customer re-evaluation in 2 batches, {points} fault points");
        Assert.That(points, Is.GreaterThanOrEqualTo(8 * Faults().Count()), "two statements per batch, two batches, two segments");
    }

    [Test]
    public async Task AnEventOfOneCustomerChangingTwoSegmentsThatFailsAtAnyStatementLeavesEachSegmentAsItWasOrDoneAndTheNextOneCompletesIt()
    {
        //bob leaves Acme (decided by its conditions' query) and enters the buyers (decided from his statistics):
        //both written in one transaction
        var scenario = await ScenarioAsync();
        var bob = scenario.CustomerIds[1];

        var points = await InjectEverywhereAsync(scenario, async services =>
        {
            //his statistics as before the order, so that every run finds them changed
            await Repository<CustomerOrderStatistics>().DeleteAsync(row => row.CustomerId == bob);
            await services.Reevaluation.ReevaluateCustomersAsync([bob], RuleDataSources.Customer | RuleDataSources.Orders);
        });

        TestContext.Progress.WriteLine($"{Engine}: one customer's event, {points} fault points");
        Assert.That(points, Is.GreaterThanOrEqualTo(4 * Faults().Count()), "two segments locked and two writes");
    }

    [Test]
    public async Task AnOrderEventWhoseSegmentWriteIsKilledIsLoggedTheShopGoesOnAndTheCustomerIsQueuedForTheNextRun()
    {
        var scenario = await ScenarioAsync();
        await RebuildService.RebuildAllSegmentsAsync();
        var (_, reevaluation, faults) = NewFaultyServices();
        var pending = NewPendingCustomerService(reevaluation);
        var consumer = new OrderEventConsumer(new CustomerSegmentsSettings(), Logger.Object, pending, reevaluation, OutsideRequest);
        var eve = await CustomerAsync("eve@example.com", "Other");
        var order = await OrderAsync(eve.Id);

        //the database stays unreachable for this event: every attempt's session is killed
        faults.Arm(1, WriteFaultInterceptor.CanKill(Engine) ? WriteFault.KillConnection : WriteFault.ThrowBefore, outage: true);
        Assert.DoesNotThrowAsync(() => consumer.HandleEventAsync(new OrderPlacedEvent(order)));

        var injected = faults.Injected;
        Assert.That(injected, Is.InRange(1, SegmentMembershipTransaction.MaxAttempts));
        Logger.Verify(logger => logger.ErrorAsync(It.Is<string>(message => message.Contains(scenario.Buyers.Name)), It.IsNotNull<Exception>(), null), Times.Once);
        Assert.That(await Repository<Order>().GetByIdAsync(order.Id), Is.Not.Null, "the shop's order stays");
        Assert.That(await CurrentMemberIdsAsync(scenario.Buyers.Id), Does.Not.Contain(eve.Id));
        Assert.That(await pending.CountAsync(), Is.EqualTo(1), "queued for the scheduled task's next run");

        faults.Arm(0);
        Assert.That(await pending.ProcessAsync(), Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(scenario.Buyers.Id), Does.Contain(eve.Id));
        Assert.That(await pending.CountAsync(), Is.Zero);
        Interlocked.Add(ref _faultPoints, injected);
    }

    [Test]
    public async Task AQueuedCustomerWhoseSegmentWriteFailsStaysQueuedUntilARunSucceeds()
    {
        var scenario = await ScenarioAsync();
        await RebuildService.RebuildAllSegmentsAsync();
        var (_, reevaluation, faults) = NewFaultyServices();
        var pending = NewPendingCustomerService(reevaluation);
        var eve = await CustomerAsync("eve@example.com", "Other");
        await OrderAsync(eve.Id);
        await pending.QueueAsync([eve.Id], RuleDataSources.Orders);

        //the rebuild logs the failed segment and goes on with the others: the queue must still keep her
        faults.Arm(1, WriteFault.ThrowBefore, outage: true);
        var failure = Assert.ThrowsAsync<SegmentPendingCustomersException>(() => pending.ProcessAsync());
        Assert.That(failure.CustomerIds, Is.EqualTo(new[] { eve.Id }));
        Assert.That(await pending.CountAsync(), Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(scenario.Buyers.Id), Does.Not.Contain(eve.Id));

        faults.Arm(0);
        Assert.That(await pending.ProcessAsync(), Is.EqualTo(1));
        Assert.That(await pending.CountAsync(), Is.Zero);
        Assert.That(await CurrentMemberIdsAsync(scenario.Buyers.Id), Does.Contain(eve.Id));
    }
}
