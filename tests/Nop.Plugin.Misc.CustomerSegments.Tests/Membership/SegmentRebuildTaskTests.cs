using LinqToDB;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The scheduled rebuild in a web farm: instances share one database and take turns through the lease
/// </summary>
public class SegmentRebuildTaskTests : MembershipTestBase
{
    public SegmentRebuildTaskTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// One nopCommerce instance: its own services over the shared database
    /// </summary>
    private (SegmentRebuildTask Task, ObservedRuleQueryBuilder Queries, Mock<ILogger> Logger) NewInstance(CustomerSegmentsSettings settings = null,
        ISettingService settingService = null, ISegmentPendingCustomerService pending = null)
    {
        var queries = NewQueryBuilder();
        var logger = new Mock<ILogger>();
        var statisticsSettings = new CustomerSegmentsSettings();
        var rebuild = NewRebuildService(queries, logger.Object, settings: statisticsSettings);
        var reevaluation = NewReevaluationService(queries, logger.Object, settings: statisticsSettings);
        var task = new SegmentRebuildTask(settings ?? new CustomerSegmentsSettings(), logger.Object, new SegmentLeaseService(Repository<SegmentLease>()),
            new SegmentPendingCustomerProcessor(logger.Object, pending ?? NewPendingCustomerService(reevaluation)), rebuild, settingService ?? Mock.Of<ISettingService>());
        return (task, queries, logger);
    }

    private async Task<Segment> TimeBasedSegmentAsync()
    {
        for (var i = 0; i < 20; i++)
            await CustomerAsync($"c{i}@example.com", createdOnUtc: DateTime.UtcNow.AddDays(-100 + i).AddHours(12));
        return await SegmentAsync("Loyal", Json(RegisteredMoreThanDaysAgo(90)));
    }

    [Test]
    public async Task TheTaskRebuildsTimeBasedSegmentsAndFreesTheLease()
    {
        var segment = await TimeBasedSegmentAsync();
        var (task, _, logger) = NewInstance();

        await task.ExecuteAsync();

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(10));
        var lease = (await Repository<SegmentLease>().GetAllAsync(query => query)).Single();
        Assert.That(lease.Name, Is.EqualTo(CustomerSegmentsDefaults.RebuildLeaseName));
        Assert.That(lease.Holder, Is.Null);
        logger.Verify(log => log.InformationAsync(It.IsAny<string>(), null, null), Times.Never);

        //the next run takes the freed lease
        Assert.That(await NewInstance().Task.RunAsync(), Is.Not.Null);
    }

    [Test]
    public async Task OncePerFullRebuildIntervalTheTaskRebuildsEverySegment()
    {
        //memberships an event did not record: customers written without the plugin seeing them
        for (var i = 0; i < 3; i++)
            await CustomerAsync($"acme{i}@example.com", company: "Acme");
        await CustomerAsync("other@example.com", company: "Other");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var timeBased = await TimeBasedSegmentAsync();
        var settings = new CustomerSegmentsSettings { FullRebuildIntervalHours = 24, LastFullRebuildOnUtc = DateTime.UtcNow.AddHours(-23) };
        var settingService = new Mock<ISettingService>();

        await NewInstance(settings, settingService.Object).Task.ExecuteAsync();
        Assert.That(await CurrentMemberIdsAsync(timeBased.Id), Has.Length.EqualTo(10));
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "not due: only the time-based segment");

        var before = DateTime.UtcNow;
        settings.LastFullRebuildOnUtc = before.AddHours(-25);
        await NewInstance(settings, settingService.Object).Task.ExecuteAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Has.Length.EqualTo(3));
        Assert.That(settings.LastFullRebuildOnUtc, Is.GreaterThanOrEqualTo(before));
        settingService.Verify(service => service.SaveSettingAsync(settings, It.IsAny<System.Linq.Expressions.Expression<Func<CustomerSegmentsSettings, DateTime?>>>(), 0, true), Times.Once);

        //0: only on demand
        settings.FullRebuildIntervalHours = 0;
        settings.LastFullRebuildOnUtc = null;
        await CustomerAsync("acme3@example.com", company: "Acme");
        await NewInstance(settings, settingService.Object).Task.ExecuteAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task AFullRebuildStoppedByALostLeaseIsNotRecordedAsDone()
    {
        await CustomerAsync("acme@example.com", company: "Acme");
        await SegmentAsync("Acme", Json(Company("Acme")));
        await SegmentAsync("Active", Json(Active(true)));
        var settings = new CustomerSegmentsSettings { FullRebuildIntervalHours = 24 };
        var (task, queries, _) = NewInstance(settings);
        //another instance takes the lease over while the first segment is rebuilt
        queries.OnBuild = () => Repository<SegmentLease>().Table
            .Where(lease => lease.Name == CustomerSegmentsDefaults.RebuildLeaseName)
            .Set(lease => lease.Holder, "another instance")
            .UpdateAsync();

        var results = await task.RunAsync();

        Assert.That(results, Has.Count.EqualTo(1), "the run stopped before the second segment");
        Assert.That(settings.LastFullRebuildOnUtc, Is.Null, "the next run rebuilds every segment again");
    }

    [Test]
    public async Task WhileOneInstanceRebuildsAnotherSkips()
    {
        var segment = await TimeBasedSegmentAsync();
        var first = NewInstance();
        var second = NewInstance();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Queries.OnBuild = async () =>
        {
            started.TrySetResult();
            await finish.Task;
        };

        var running = first.Task.RunAsync();
        await started.Task;

        await second.Task.ExecuteAsync();
        Assert.That(second.Queries.BuildCount, Is.Zero, "the second instance did not rebuild");
        second.Logger.Verify(log => log.InformationAsync(It.Is<string>(message => message.Contains("another instance")), null, null), Times.Once);

        finish.SetResult();
        var results = await running;
        Assert.That(results, Has.Count.EqualTo(1));
        Assert.That(await RowsAsync(segment.Id), Has.Count.EqualTo(10));
    }

    [Test]
    public async Task InstancesStartingTogetherNeverRebuildAtTheSameTimeNorDoubleWriteHistory()
    {
        var segment = await TimeBasedSegmentAsync();

        for (var round = 0; round < 3; round++)
        {
            //a customer crosses the 90 days line before each round
            await CustomerAsync($"round{round}@example.com", createdOnUtc: DateTime.UtcNow.AddDays(-91));
            var instances = Enumerable.Range(0, 3).Select(_ => NewInstance()).ToList();
            var inside = 0;
            var overlapped = false;
            var skipped = 0;
            foreach (var instance in instances)
            {
                instance.Queries.OnBuild = async () =>
                {
                    if (Interlocked.Increment(ref inside) > 1)
                        overlapped = true;
                    //the rebuild lasts until the other instances have tried (one thread late by the length of a rebuild
                    //would otherwise start after it, which is no overlap); an instance rebuilding beside it waits here too
                    var until = DateTime.UtcNow.AddSeconds(5);
                    while (Volatile.Read(ref skipped) < instances.Count - 1 && DateTime.UtcNow < until)
                        await Task.Delay(20);
                    Interlocked.Decrement(ref inside);
                };
            }

            using var gate = new Barrier(instances.Count);
            var runs = instances.Select(instance => Task.Run(async () =>
            {
                gate.SignalAndWait();
                var result = await instance.Task.RunAsync();
                if (result == null)
                    Interlocked.Increment(ref skipped);

                return result;
            })).ToList();
            var results = await Task.WhenAll(runs);

            Assert.That(overlapped, Is.False);
            Assert.That(results.Count(result => result != null), Is.EqualTo(1), $"round {round}: one instance rebuilt");
        }

        var rows = await RowsAsync(segment.Id);
        Assert.That(rows.GroupBy(row => row.CustomerId).All(group => group.Count() == 1), Is.True, "no customer entered twice");
        Assert.That(rows, Has.Count.EqualTo(13));
    }

    [Test]
    public async Task ALeaseIsHeldByOneHolderUntilReleasedOrExpired()
    {
        var leases = new SegmentLeaseService(Repository<SegmentLease>());

        Assert.That(await leases.TryAcquireAsync("job", "a", TimeSpan.FromMinutes(5)), Is.True);
        Assert.That(await leases.TryAcquireAsync("job", "b", TimeSpan.FromMinutes(5)), Is.False);
        Assert.That(await leases.RenewAsync("job", "b", TimeSpan.FromMinutes(5)), Is.False);
        Assert.That(await leases.RenewAsync("job", "a", TimeSpan.FromMinutes(5)), Is.True);
        Assert.That(await leases.TryAcquireAsync("other job", "b", TimeSpan.FromMinutes(5)), Is.True);

        await leases.ReleaseAsync("job", "b");
        Assert.That(await leases.TryAcquireAsync("job", "b", TimeSpan.FromMinutes(5)), Is.False, "only the holder releases");
        await leases.ReleaseAsync("job", "a");
        Assert.That(await leases.TryAcquireAsync("job", "b", TimeSpan.FromMinutes(5)), Is.True);

        //a holder that died: its lease expires
        Assert.That(await leases.TryAcquireAsync("crashed", "c", TimeSpan.FromSeconds(-1)), Is.True);
        Assert.That(await leases.TryAcquireAsync("crashed", "d", TimeSpan.FromMinutes(5)), Is.True);
        Assert.That(await leases.RenewAsync("crashed", "c", TimeSpan.FromMinutes(5)), Is.False, "the dead holder lost it");
    }

    [Test]
    public async Task OfInstancesTakingANewLeaseAtOnceExactlyOneGetsIt()
    {
        for (var round = 0; round < 3; round++)
        {
            var name = $"first-run-{round}";
            using var gate = new Barrier(4);
            var attempts = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            {
                var leases = new SegmentLeaseService(Repository<SegmentLease>());
                gate.SignalAndWait();
                return await leases.TryAcquireAsync(name, $"holder{i}", TimeSpan.FromMinutes(5));
            })).ToList();

            var acquired = await Task.WhenAll(attempts);
            Assert.That(acquired.Count(taken => taken), Is.EqualTo(1), $"round {round}");
        }
    }

    [Test]
    public async Task TheTaskReevaluatesTheQueuedCustomersAfterItRebuilds()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await OrderAsync(ann.Id, publishEvent: false);
        var (task, _, logger) = NewInstance();
        await NewPendingCustomerService(ReevaluationService).QueueAsync([ann.Id], Services.Rules.RuleDataSources.Orders);

        await task.ExecuteAsync();

        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "an order segment: the time-based rebuild leaves it alone");
        Assert.That(await Repository<SegmentPendingCustomer>().Table.CountAsync(), Is.Zero);
        logger.Verify(log => log.ErrorAsync(It.IsAny<string>(), It.IsAny<Exception>(), null), Times.Never);
        logger.Verify(log => log.InformationAsync(It.Is<string>(message => message.Contains("1 queued changes")), null, null), Times.Once);
    }

    [Test]
    public async Task QueuedCustomersThatFailStayQueuedAndTheRebuildStillRuns()
    {
        var segment = await TimeBasedSegmentAsync();
        await NewPendingCustomerService(ReevaluationService).QueueAsync([1], Services.Rules.RuleDataSources.Orders);
        var failing = new Mock<ISegmentPendingCustomerService>();
        failing.Setup(pending => pending.ProcessAsync(It.IsAny<Func<Task<bool>>>())).ThrowsAsync(new InvalidOperationException("database gone"));
        var (task, _, logger) = NewInstance(pending: failing.Object);

        await task.ExecuteAsync();

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(10));
        Assert.That(await Repository<SegmentPendingCustomer>().Table.CountAsync(), Is.EqualTo(1));
        logger.Verify(log => log.ErrorAsync(It.Is<string>(message => message.Contains("queued customers")), It.IsAny<InvalidOperationException>(), null), Times.Once);
    }

    [Test]
    public async Task QueuedCustomersThatFailAreNamedInTheLogBesideTheChangesReevaluated()
    {
        var segment = await TimeBasedSegmentAsync();
        var pending = new Mock<ISegmentPendingCustomerService>();
        pending.Setup(service => service.ProcessAsync(It.IsAny<Func<Task<bool>>>()))
            .ThrowsAsync(new SegmentPendingCustomersException([7, 8], 3, new InvalidOperationException("this customer's data cannot be read")));
        var (task, _, logger) = NewInstance(pending: pending.Object);

        await task.ExecuteAsync();

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(10), "the rebuild still runs");
        logger.Verify(log => log.InformationAsync(It.Is<string>(message => message.Contains("3 queued changes")), null, null), Times.Once);
        logger.Verify(log => log.ErrorAsync(It.Is<string>(message => message.Contains("customers 7, 8 failed")), It.IsAny<InvalidOperationException>(), null), Times.Once);
    }

    [Test]
    public async Task ARunThatLosesItsLeaseWhileRebuildingLeavesTheQueuedCustomersToTheNextRun()
    {
        var ann = await CustomerAsync("ann@example.com");
        await NewPendingCustomerService(ReevaluationService).QueueAsync([ann.Id], Services.Rules.RuleDataSources.Orders);
        var pending = new Mock<ISegmentPendingCustomerService>();
        var rebuild = new Mock<ISegmentRebuildService>();
        rebuild.Setup(service => service.RebuildTimeDependentSegmentsAsync(It.IsAny<Func<Task<bool>>>()))
            .Returns(async (Func<Task<bool>> continueAsync) =>
            {
                //another instance took the lease over meanwhile (this run's had expired)
                await Repository<SegmentLease>().Table.Set(lease => lease.Holder, "another instance").UpdateAsync();
                Assert.That(await continueAsync(), Is.False);
                return [];
            });
        var task = new SegmentRebuildTask(new CustomerSegmentsSettings { LastFullRebuildOnUtc = DateTime.UtcNow }, Logger.Object, new SegmentLeaseService(Repository<SegmentLease>()),
            new SegmentPendingCustomerProcessor(Logger.Object, pending.Object), rebuild.Object, Mock.Of<ISettingService>());

        Assert.That(await task.RunAsync(), Is.Empty);

        pending.Verify(service => service.ProcessAsync(It.IsAny<Func<Task<bool>>>()), Times.Never, "not re-evaluated beside the other instance");
    }

    [Test]
    public async Task ARunThatLosesItsLeaseWhileReevaluatingQueuedCustomersStopsThere()
    {
        var segment = await TimeBasedSegmentAsync();
        var calls = 0;
        var pending = new Mock<ISegmentPendingCustomerService>();
        pending.Setup(service => service.ProcessAsync(It.IsAny<Func<Task<bool>>>()))
            .Returns(async (Func<Task<bool>> continueAsync) =>
            {
                calls++;
                //another instance took the lease over meanwhile (this run's had expired)
                await Repository<SegmentLease>().Table.Set(lease => lease.Holder, "another instance").UpdateAsync();
                Assert.That(await continueAsync(), Is.False, "the queue learns the lease is lost and stops");
                return CustomerSegmentsDefaults.PendingCustomerBatchSize;
            });
        var (task, _, _) = NewInstance(pending: pending.Object);

        await task.RunAsync();

        Assert.That(calls, Is.EqualTo(1));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(10), "rebuilt before the queue");
        Assert.That(await Repository<SegmentLease>().Table.Select(lease => lease.Holder).ToListAsync(), Is.EqualTo(new[] { "another instance" }),
            "the other instance's lease is left to it");
    }

    [Test]
    public async Task AFullRebuildInWhichASegmentFailedIsNotRecordedAsDoneAndTheNextRunCompletesTheSegment()
    {
        //memberships an event did not record; the full rebuild is due
        for (var i = 0; i < 3; i++)
            await CustomerAsync($"acme{i}@example.com", company: "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var settings = new CustomerSegmentsSettings { FullRebuildIntervalHours = 24 };

        //the segment's rebuild fails this time (a deadlock, a lock timeout, a lost connection)
        var (failing, failingQueries, _) = NewInstance(settings);
        failingQueries.OnBuild = () => throw new InvalidOperationException("deadlock victim");
        var results = await failing.RunAsync();
        Assert.That(results.Single().Failed, Is.True);

        //the next scheduled run, an hour later: "the next rebuild completes it"
        await NewInstance(settings).Task.RunAsync();

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Has.Length.EqualTo(3),
            $"the segment whose full rebuild failed stays uncorrected until the next full rebuild (LastFullRebuildOnUtc = {settings.LastFullRebuildOnUtc:O})");
    }
}
