using LinqToDB;
using Microsoft.AspNetCore.Http;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// "Rebuild now" on a real database: the run is queued, runs in the background in a scope of its own under the
/// rebuild lease, and records its steps where the segment page polls them
/// </summary>
public class SegmentRebuildRunTests : MembershipTestBase
{
    private const string OtherHolder = "another-instance/rebuild";

    public SegmentRebuildRunTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// What nopCommerce's container gives the background task: a new scope with its own runner
    /// </summary>
    private SegmentRebuildRunService NewRunService(int[] scopes = null) => NewRebuildRunService(() =>
    {
        if (scopes != null)
            Interlocked.Increment(ref scopes[0]);
        return NewRebuildRunner();
    });

    private async Task<SegmentRebuildRun> QueuedRunAsync(int segmentId, DateTime? updatedOnUtc = null)
    {
        var run = new SegmentRebuildRun
        {
            SegmentId = segmentId,
            StateId = (int)SegmentRebuildRunState.Queued,
            StepsTotal = ISegmentRebuildRunner.StepCount,
            CreatedOnUtc = DateTime.UtcNow,
            UpdatedOnUtc = updatedOnUtc ?? DateTime.UtcNow
        };
        await Repository<SegmentRebuildRun>().InsertAsync(run, false);
        return run;
    }

    private Task<SegmentRebuildRun> ReloadAsync(SegmentRebuildRun run) => Repository<SegmentRebuildRun>().GetByIdAsync(run.Id);

    private Task<SegmentRebuildRun> WaitUntilFinishedAsync(int runId) =>
        PollAsync(() => Repository<SegmentRebuildRun>().GetByIdAsync(runId), Finished);

    private async Task<Segment> AcmeSegmentAsync(int members)
    {
        for (var i = 0; i < members; i++)
            await CustomerAsync($"acme{i}@shop.test", "Acme");
        await CustomerAsync("other@shop.test", "Other");
        return await SegmentAsync("Acme", Json(Company("Acme")));
    }

    [Test]
    public async Task TheRunnerRecordsBothStepsAndTheResultAndFreesTheLease()
    {
        var segment = await AcmeSegmentAsync(3);
        var run = await QueuedRunAsync(segment.Id);

        Assert.That(await NewRebuildRunner().RunAsync(run.Id), Is.True);

        run = await ReloadAsync(run);
        Assert.That(run.StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That((run.StepsDone, run.StepsTotal), Is.EqualTo((2, 2)));
        Assert.That((run.Entered, run.Left), Is.EqualTo((3, 0)));
        Assert.That(run.FinishedOnUtc, Is.Not.Null);
        Assert.That(run.ErrorResource, Is.Null);
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(3));
        Assert.That((await Repository<SegmentLease>().GetAllAsync(query => query)).Single().Holder, Is.Null);
    }

    [Test]
    public async Task WhileAnotherRebuildHoldsTheLeaseTheRunWaitsQueued()
    {
        var segment = await AcmeSegmentAsync(2);
        var run = await QueuedRunAsync(segment.Id, DateTime.UtcNow.AddMinutes(-1));
        var leases = new SegmentLeaseService(Repository<SegmentLease>());
        Assert.That(await leases.TryAcquireAsync(CustomerSegmentsDefaults.RebuildLeaseName, OtherHolder, TimeSpan.FromMinutes(5)), Is.True);

        Assert.That(await NewRebuildRunner().RunAsync(run.Id), Is.False);
        var waiting = await ReloadAsync(run);
        Assert.That(waiting.StateId, Is.EqualTo((int)SegmentRebuildRunState.Queued));
        Assert.That(waiting.UpdatedOnUtc, Is.GreaterThan(run.UpdatedOnUtc), "touched, so that it does not look abandoned");
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);

        await leases.ReleaseAsync(CustomerSegmentsDefaults.RebuildLeaseName, OtherHolder);
        Assert.That(await NewRebuildRunner().RunAsync(run.Id), Is.True);
        Assert.That((await ReloadAsync(run)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
    }

    [Test]
    public async Task AnInvalidStoredRuleFailsTheRunAndChangesNoMembers()
    {
        var segment = await AcmeSegmentAsync(2);
        await RebuildService.RebuildSegmentAsync(segment);
        segment.RuleJson = Json(Condition("customer.noSuchField", "eq", 1));
        await Repository<Segment>().UpdateAsync(segment);
        var run = await QueuedRunAsync(segment.Id);

        await NewRebuildRunner().RunAsync(run.Id);

        run = await ReloadAsync(run);
        Assert.That(run.StateId, Is.EqualTo((int)SegmentRebuildRunState.Failed));
        Assert.That(run.ErrorResource, Is.EqualTo("Segments.Rebuild.InvalidRule"));
        Assert.That(run.StepsDone, Is.Zero);
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(2));
        Assert.That((await Repository<SegmentLease>().GetAllAsync(query => query)).Single().Holder, Is.Null);
    }

    [Test]
    public async Task AStaticOrDeletedSegmentFailsTheRun()
    {
        var list = await SegmentAsync("VIP list", null, SegmentType.Static);
        var staticRun = await QueuedRunAsync(list.Id);
        var missingRun = await QueuedRunAsync(9999);

        await NewRebuildRunner().RunAsync(staticRun.Id);
        await NewRebuildRunner().RunAsync(missingRun.Id);

        Assert.That((await ReloadAsync(staticRun)).ErrorResource, Is.EqualTo("Segments.Rebuild.OnlyDynamic"));
        Assert.That((await ReloadAsync(missingRun)).ErrorResource, Is.EqualTo("Segments.Rebuild.SegmentMissing"));
    }

    [Test]
    public async Task AFinishedRunIsNotRunAgain()
    {
        var segment = await AcmeSegmentAsync(1);
        var run = await QueuedRunAsync(segment.Id);
        await NewRebuildRunner().RunAsync(run.Id);
        await CustomerAsync("late@shop.test", "Acme");

        Assert.That(await NewRebuildRunner().RunAsync(run.Id), Is.True);

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(1));
        Assert.That((await ReloadAsync(run)).Entered, Is.EqualTo(1));
    }

    [Test]
    public async Task StartReturnsAtOnceAndTheRunCompletesInTheBackgroundInAScopeOfItsOwn()
    {
        var segment = await AcmeSegmentAsync(4);
        var scopes = new int[1];

        var started = await NewRunService(scopes).StartAsync(segment);

        Assert.That(started.Id, Is.GreaterThan(0));
        Assert.That(started.StepsTotal, Is.EqualTo(2));
        var run = await WaitUntilFinishedAsync(started.Id);
        Assert.That(run.StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(run.Entered, Is.EqualTo(4));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(4));
        Assert.That(scopes[0], Is.EqualTo(1));
        Assert.That((await NewRunService().GetLatestRunAsync(segment.Id)).Id, Is.EqualTo(started.Id));
    }

    [Test]
    public async Task StartWhileARunIsQueuedReturnsThatRun()
    {
        var segment = await AcmeSegmentAsync(1);
        var leases = new SegmentLeaseService(Repository<SegmentLease>());
        await leases.TryAcquireAsync(CustomerSegmentsDefaults.RebuildLeaseName, OtherHolder, TimeSpan.FromMinutes(5));
        var service = NewRunService();

        var first = await service.StartAsync(segment);
        var second = await service.StartAsync(segment);

        Assert.That(second.Id, Is.EqualTo(first.Id));
        Assert.That(await Repository<SegmentRebuildRun>().Table.CountAsync(), Is.EqualTo(1));
        Assert.That((await service.GetLatestRunAsync(segment.Id)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Queued));

        //the other rebuild ends: the waiting run goes on by itself
        await leases.ReleaseAsync(CustomerSegmentsDefaults.RebuildLeaseName, OtherHolder);
        Assert.That((await WaitUntilFinishedAsync(first.Id)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
    }

    [Test]
    public async Task ARunThatNeverGetsTheLeaseGivesUp()
    {
        var segment = await AcmeSegmentAsync(1);
        await new SegmentLeaseService(Repository<SegmentLease>()).TryAcquireAsync(CustomerSegmentsDefaults.RebuildLeaseName, OtherHolder, TimeSpan.FromMinutes(5));
        var service = NewRunService();
        service.GiveUpAfter = TimeSpan.Zero;

        var run = await WaitUntilFinishedAsync((await service.StartAsync(segment)).Id);

        Assert.That(run.StateId, Is.EqualTo((int)SegmentRebuildRunState.Failed));
        Assert.That(run.ErrorResource, Is.EqualTo("Segments.Rebuild.Busy"));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.Empty);
    }

    [Test]
    public async Task AnAbandonedRunIsReportedInterruptedAndANewOneCanStart()
    {
        var segment = await AcmeSegmentAsync(1);
        var abandoned = await QueuedRunAsync(segment.Id, DateTime.UtcNow - SegmentRebuildRunService.QueuedRunAbandonedAfter - TimeSpan.FromMinutes(1));
        var service = NewRunService();

        var latest = await service.GetLatestRunAsync(segment.Id);
        Assert.That(latest.StateId, Is.EqualTo((int)SegmentRebuildRunState.Failed));
        Assert.That(latest.ErrorResource, Is.EqualTo("Segments.Rebuild.Interrupted"));

        var next = await service.StartAsync(segment);
        Assert.That(next.Id, Is.Not.EqualTo(abandoned.Id));
        Assert.That((await WaitUntilFinishedAsync(next.Id)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
    }

    /// <summary>
    /// The run outlives the request that starts it: its scope must not see that request, from which nopCommerce's
    /// EngineContext resolves services (the request's scope) and its store, work and web contexts read headers and cookies
    /// </summary>
    [Test]
    public async Task TheBackgroundRunDoesNotSeeTheRequestThatStartedIt()
    {
        var segment = await AcmeSegmentAsync(1);
        var accessor = new HttpContextAccessor();
        HttpContext seenByRun = new DefaultHttpContext();
        var service = NewRebuildRunService(() =>
        {
            seenByRun = accessor.HttpContext;
            return NewRebuildRunner();
        });

        //the admin's "Rebuild now" request
        accessor.HttpContext = new DefaultHttpContext();
        var run = await WaitUntilFinishedAsync((await service.StartAsync(segment)).Id);

        Assert.That(run.StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(seenByRun, Is.Null);
    }

    [Test]
    public async Task AfterItsRebuildTheRunReevaluatesTheCustomersQueuedMeanwhile()
    {
        //an order placed while the run recomputed the order figures: its event queued the customer (see
        //OrderEventsDuringARecomputeTests) rather than wait for the recompute
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await OrderAsync(ann.Id, publishEvent: false);
        await NewPendingCustomerService(ReevaluationService).QueueAsync([ann.Id], Services.Rules.RuleDataSources.Orders);
        var segment = await AcmeSegmentAsync(2);
        var run = await QueuedRunAsync(segment.Id);

        Assert.That(await NewRebuildRunner().RunAsync(run.Id), Is.True);

        Assert.That((await ReloadAsync(run)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "re-evaluated now, not at the task's next run");
        Assert.That(await Repository<SegmentPendingCustomer>().Table.CountAsync(), Is.Zero);
        Logger.Verify(log => log.InformationAsync(It.Is<string>(message => message.Contains("1 queued changes")), null, null), Times.Once);
    }

    [Test]
    public async Task QueuedCustomersThatFailStayQueuedAndTheRunStillCompletes()
    {
        await NewPendingCustomerService(ReevaluationService).QueueAsync([1], Services.Rules.RuleDataSources.Orders);
        var failing = new Mock<ISegmentPendingCustomerService>();
        failing.Setup(pending => pending.ProcessAsync(It.IsAny<Func<Task<bool>>>())).ThrowsAsync(new InvalidOperationException("database gone"));
        var segment = await AcmeSegmentAsync(2);
        var run = await QueuedRunAsync(segment.Id);

        Assert.That(await NewRebuildRunner(pending: failing.Object).RunAsync(run.Id), Is.True);

        Assert.That((await ReloadAsync(run)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Has.Length.EqualTo(2));
        Assert.That(await Repository<SegmentPendingCustomer>().Table.CountAsync(), Is.EqualTo(1));
        Assert.That((await Repository<SegmentLease>().GetAllAsync(query => query)).Single().Holder, Is.Null, "the lease is freed");
        Logger.Verify(log => log.ErrorAsync(It.Is<string>(message => message.Contains("queued customers")), It.IsAny<InvalidOperationException>(), null), Times.Once);
    }

    [Test]
    public async Task ARunWhoseSegmentFailsStillReevaluatesTheQueuedCustomers()
    {
        var ann = await CustomerAsync("ann@example.com");
        var buyers = await SegmentAsync("Buyers", Json(OrdersAtLeast(1)));
        await OrderAsync(ann.Id, publishEvent: false);
        await NewPendingCustomerService(ReevaluationService).QueueAsync([ann.Id], Services.Rules.RuleDataSources.Orders);
        var segment = await AcmeSegmentAsync(2);
        segment.RuleJson = Json(Condition("customer.noSuchField", "eq", 1));
        await Repository<Segment>().UpdateAsync(segment);
        var run = await QueuedRunAsync(segment.Id);

        Assert.That(await NewRebuildRunner().RunAsync(run.Id), Is.True);

        Assert.That((await ReloadAsync(run)).StateId, Is.EqualTo((int)SegmentRebuildRunState.Failed));
        Assert.That(await CurrentMemberIdsAsync(buyers.Id), Is.EqualTo(new[] { ann.Id }), "the queue does not depend on the segment run");
        Assert.That(await Repository<SegmentPendingCustomer>().Table.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task ARunThatLosesItsLeaseLeavesTheQueueToTheNextRun()
    {
        var ann = await CustomerAsync("ann@example.com");
        await NewPendingCustomerService(ReevaluationService).QueueAsync([ann.Id], Services.Rules.RuleDataSources.Orders);
        var segment = await AcmeSegmentAsync(2);
        var run = await QueuedRunAsync(segment.Id);
        var rebuild = new Mock<ISegmentRebuildService>();
        rebuild.Setup(service => service.RebuildSegmentAsync(It.IsAny<Segment>()))
            .Returns(async (Segment rebuilt) =>
            {
                //another instance took the lease over meanwhile (this run's had expired)
                await Repository<SegmentLease>().Table.Set(lease => lease.Holder, OtherHolder).UpdateAsync();
                return new SegmentRebuildResult(rebuilt.Id, 0, 0);
            });
        var pending = new Mock<ISegmentPendingCustomerService>();
        var runner = NewRebuildRunner(rebuild.Object, pending.Object);

        Assert.That(await runner.RunAsync(run.Id), Is.True);

        pending.Verify(service => service.ProcessAsync(It.IsAny<Func<Task<bool>>>()), Times.Never, "not re-evaluated beside the other instance");
        Assert.That(await Repository<SegmentLease>().Table.Select(lease => lease.Holder).ToListAsync(), Is.EqualTo(new[] { OtherHolder }));
    }

    [Test]
    public void OnlyDynamicSegmentsStart()
    {
        Assert.ThrowsAsync<InvalidOperationException>(() => NewRunService().StartAsync(new Segment { Id = 1, SegmentTypeId = (int)SegmentType.Static }));
    }

    /// <summary>
    /// A segment's run rebuilds the active dynamic segments referencing it, directly or through others: of the segments
    /// given and those referencing them, a run starts only for those no other of them brings along, once each; an inactive
    /// or static segment is not rebuilt, the segments referencing it are
    /// </summary>
    [Test]
    public async Task StartingWithReferencingSegmentsRunsOnlyTheSegmentsNoOtherRunBringsAlong()
    {
        var ann = await CustomerAsync("ann@shop.test", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var naming = await SegmentAsync("Members of Acme", Json(MemberOf(acme.Id)));
        var namingBoth = await SegmentAsync("Members of both", Json(MemberOf(acme.Id), MemberOf(naming.Id)));
        var dormant = await SegmentAsync("Dormant", Json(MemberOf(acme.Id)), active: false);
        var picked = await SegmentAsync("Picked", null, SegmentType.Static);
        var namingPicked = await SegmentAsync("Members of Picked", Json(MemberOf(picked.Id)));
        var off = await SegmentAsync("Off", Json(Company("Acme")), active: false);
        var namingOff = await SegmentAsync("Members of Off", Json(MemberOf(off.Id)));
        var unrelated = await SegmentAsync("Unrelated", Json(Company("Acme")));

        var runs = await NewRunService().StartWithReferencingSegmentsAsync([naming, acme, acme, picked, off, dormant]);

        Assert.That(runs.Select(run => run.SegmentId), Is.EquivalentTo(new[] { acme.Id, namingPicked.Id, namingOff.Id }));
        await WaitForRebuildRunsAsync();
        var stored = await Repository<SegmentRebuildRun>().Table.ToListAsync();
        Assert.That(stored.Select(run => run.SegmentId), Is.EquivalentTo(new[] { acme.Id, namingPicked.Id, namingOff.Id }), "no other run is started");
        Assert.That(stored.Select(run => run.StateId), Is.All.EqualTo((int)SegmentRebuildRunState.Completed));
        Assert.That(await CurrentMemberIdsAsync(naming.Id), Is.EqualTo(new[] { ann.Id }), "brought along by the run of the segment it names");
        Assert.That(await CurrentMemberIdsAsync(namingBoth.Id), Is.EqualTo(new[] { ann.Id }), "brought along too, through the segment it names");
        Assert.That(await CurrentMemberIdsAsync(dormant.Id), Is.Empty);
        Assert.That(await CurrentMemberIdsAsync(unrelated.Id), Is.Empty);
    }

    [Test]
    public async Task StartingWithReferencingSegmentsOfNoneStartsNothing()
    {
        await AcmeSegmentAsync(1);

        Assert.That(await NewRunService().StartWithReferencingSegmentsAsync([]), Is.Empty);
        Assert.That(await Repository<SegmentRebuildRun>().Table.ToListAsync(), Is.Empty);
    }
}
