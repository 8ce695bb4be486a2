using LinqToDB;
using Nop.Core.Domain.Customers;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Events;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// Two writers of memberships interleaved at a chosen point (another request's change and its event, an admin's
/// edit) and compared with what the rule's full query gives once everything has run: after the events, a customer's
/// membership is what a full rebuild computes at that moment, and the history of his stays is a sequence
/// </summary>
public class MembershipEngineConcurrencyTests : MembershipTestBase
{
    public MembershipEngineConcurrencyTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// The plugin's rebuild service, running a step of another writer at a point of its own work
    /// </summary>
    private sealed class InterleavedRebuildService : SegmentRebuildService
    {
        public InterleavedRebuildService(MembershipEngineConcurrencyTests test)
            : base(test.Logger.Object, test.Shop.DataProvider, test.Shop.Repository<Segment>(), test.Shop.Repository<SegmentMembership>(), test.CacheInvalidator,
                test.Queries, test.Serializer, test.Validator, new SegmentRuleAnalyzer(test.Catalog), test.NewStatisticsService(),
                new SegmentMembershipTransaction(test.Shop.Repository<Segment>()), test.NewSynchronizer())
        {
        }

        /// <summary>
        /// Runs once, in a full rebuild, before the segment's transaction (the run's eligible customers are read by then,
        /// as for every segment after the first of a run)
        /// </summary>
        public Func<Segment, Task> BeforeSegmentWrite { get; set; }

        /// <summary>
        /// Runs once, at the start of a segment's rebuild; the rebuild goes on when it completes
        /// </summary>
        public Func<Task> AtRebuildStart { get; set; }

        protected override async Task<SegmentRebuildResult> RebuildOneAsync(Segment segment, Func<Task<CustomerIdSet>> eligibleAsync, DateTime nowUtc)
        {
            var step = AtRebuildStart;
            AtRebuildStart = null;
            if (step != null)
                await step();

            return await base.RebuildOneAsync(segment, eligibleAsync, nowUtc);
        }

        protected override async Task<SegmentRebuildResult> ApplyAllAsync(Segment segment, SegmentRule rule, Func<Task<CustomerIdSet>> eligibleAsync, DateTime nowUtc)
        {
            await eligibleAsync();
            var step = BeforeSegmentWrite;
            BeforeSegmentWrite = null;
            if (step != null)
                await step(segment);

            return await base.ApplyAllAsync(segment, rule, eligibleAsync, nowUtc);
        }
    }

    /// <summary>
    /// The plugin's re-evaluation after events, running a step of another writer before it writes its decisions
    /// </summary>
    private sealed class InterleavedReevaluationService : SegmentReevaluationService
    {
        public InterleavedReevaluationService(MembershipEngineConcurrencyTests test)
            : base(test.Logger.Object, test.Shop.DataProvider, test.Shop.Repository<Segment>(), test.Shop.Repository<SegmentMembership>(), test.CacheInvalidator,
                test.Queries, test.Serializer, test.Validator, new SegmentRuleAnalyzer(test.Catalog), test.NewStatisticsService(),
                new SegmentMembershipTransaction(test.Shop.Repository<Segment>()), new ActiveSegmentReader(test.Shop.Repository<Segment>(), test.StaticCache),
                test.ReevaluationLock)
        {
        }

        /// <summary>
        /// Runs once, when an event's decisions for its customer are made and before they are written
        /// </summary>
        public Func<Task> BeforeDecisionsWritten { get; set; }

        protected override async Task<IDictionary<int, SegmentRebuildResult>> WriteDecisionsAsync(IDictionary<int, bool> changes, int customerId, DateTime nowUtc)
        {
            var step = BeforeDecisionsWritten;
            BeforeDecisionsWritten = null;
            if (step != null)
                await step();

            return await base.WriteDecisionsAsync(changes, customerId, nowUtc);
        }
    }

    /// <summary>
    /// Another request changes the customer's company and publishes the update, as nopCommerce does
    /// </summary>
    private async Task ChangeCompanyInAnotherRequestAsync(Customer customer, string company)
    {
        customer.Company = company;
        await Repository<Customer>().UpdateAsync(customer, false);
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(customer));
    }

    /// <summary>
    /// What the rule's full query selects now: the members a full rebuild computes at this moment
    /// </summary>
    private async Task<int[]> ExpectedAsync(Segment segment)
    {
        var reloaded = await Repository<Segment>().GetByIdAsync(segment.Id);
        var rule = Serializer.Parse(reloaded.RuleJson).Rule;
        return (await (await Queries.BuildMatchingCustomerIdsQueryAsync(rule, reloaded.StoreId, DateTime.UtcNow)).ToListAsync()).Order().ToArray();
    }

    [Test]
    public async Task AGuestWhoRegistersWhileAFullRebuildRunsStaysInTheSegmentsHeMatches()
    {
        var guests = await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName);
        var registered = await SystemRoleAsync(NopCustomerDefaults.RegisteredRoleName);
        var ann = await CustomerInRoleAsync(guests, "ann@example.com", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "a guest");

        var rebuild = new InterleavedRebuildService(this)
        {
            //after the run read its eligible customers: ann registers in another request, and its event puts her in Acme
            BeforeSegmentWrite = async _ =>
            {
                await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = ann.Id, CustomerRoleId = registered.Id }, false);
                await PublishAsync<CustomerRegisteredEvent>(Customers, new CustomerRegisteredEvent(ann));
                Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }), "the registration's event");
            }
        };
        await rebuild.RebuildAllSegmentsOnScheduleAsync();

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(await ExpectedAsync(acme)),
            "after the run and the event, the members are those of a full rebuild now");
    }

    [Test]
    public async Task ACustomerDeletedWhileAFullRebuildRunsIsNotAddedBackByIt()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id }));

        var rebuild = new InterleavedRebuildService(this)
        {
            //after the run read its eligible customers: ann is deleted in another request, and its event closes her stay
            BeforeSegmentWrite = async _ =>
            {
                ann.Deleted = true;
                await Repository<Customer>().UpdateAsync(ann, false);
                await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));
                Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.Empty, "the deletion's event");
            }
        };
        await rebuild.RebuildAllSegmentsOnScheduleAsync();

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(await ExpectedAsync(acme)),
            "after the run and the event, the members are those of a full rebuild now: none");
    }

    [Test]
    public async Task TwoEventsOfOneCustomerAtOnceLeaveHimAsHisLastChangeSays()
    {
        var ann = await CustomerAsync("ann@example.com", "Other");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();

        Task secondEvent = null;
        var first = new InterleavedReevaluationService(this)
        {
            //the first request's event decided that ann enters Acme; before it writes, a second request moves her to
            //another company and its event runs
            BeforeDecisionsWritten = async () =>
            {
                ann.Company = "Other";
                await Repository<Customer>().UpdateAsync(ann, false);
                secondEvent = PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));
                await Task.WhenAny(secondEvent, Task.Delay(500));
            }
        };

        ann.Company = "Acme";
        await Repository<Customer>().UpdateAsync(ann, false);
        await PublishAsync<EntityUpdatedEvent<Customer>>(new CustomerEventConsumer(Logger.Object, PendingCustomers, first, RebuildRuns), new EntityUpdatedEvent<Customer>(ann));
        await secondEvent;

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(await ExpectedAsync(acme)),
            "the second event decides from what the first one wrote: ann's company is Other, she is not in Acme");
    }

    [Test]
    public async Task AStayClosedByARebuildNeverEndsBeforeItBegan()
    {
        var ann = await CustomerAsync("ann@example.com", "Other");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();

        var rebuild = new InterleavedRebuildService(this)
        {
            //while the run works through its segments, ann joins Acme and leaves it again in other requests (her second
            //event comes after the run)
            BeforeSegmentWrite = async _ =>
            {
                //a run of a large shop reaches a segment seconds after it began (MariaDB keeps these columns to the second)
                await Task.Delay(1100);
                await ChangeCompanyInAnotherRequestAsync(ann, "Acme");
                ann.Company = "Other";
                await Repository<Customer>().UpdateAsync(ann, false);
            }
        };
        await rebuild.RebuildAllSegmentsOnScheduleAsync();
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));

        var stay = (await RowsAsync(acme.Id)).Single();
        Assert.That(stay.LeftOnUtc, Is.Not.Null);
        Assert.That(stay.LeftOnUtc, Is.GreaterThanOrEqualTo(stay.EnteredOnUtc), "a stay ends after it began");
    }

    [Test]
    public async Task ACustomerWhoLeavesAndComesBackDuringARebuildHasStaysThatDoNotOverlap()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();

        var rebuild = new InterleavedRebuildService(this)
        {
            //ann leaves (her event closes her stay) and comes back (her event comes after the run)
            BeforeSegmentWrite = async _ =>
            {
                //a run of a large shop reaches a segment seconds after it began (MariaDB keeps these columns to the second)
                await Task.Delay(1100);
                await ChangeCompanyInAnotherRequestAsync(ann, "Other");
                ann.Company = "Acme";
                await Repository<Customer>().UpdateAsync(ann, false);
            }
        };
        await rebuild.RebuildAllSegmentsOnScheduleAsync();
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));

        var stays = await RowsAsync(acme.Id);
        Assert.That(stays, Has.Count.EqualTo(2));
        Assert.That(stays[0].LeftOnUtc, Is.Not.Null);
        Assert.That(stays[1].LeftOnUtc, Is.Null);
        Assert.That(stays[1].EnteredOnUtc, Is.GreaterThanOrEqualTo(stays[0].LeftOnUtc),
            "she came back after she left: her stays do not overlap (members over time would count her twice)");
    }

    [Test]
    public async Task ARuleSavedWhileRebuildNowRunsIsTheRuleTheMembersFollow()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Other");
        var segment = await SegmentAsync("Customers of a company", Json(Company("Acme")));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var edited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rebuild = new InterleavedRebuildService(this)
        {
            AtRebuildStart = async () =>
            {
                started.SetResult();
                await edited.Task;
            }
        };
        var runs = NewRebuildRunService(() => NewRebuildRunner(rebuild));

        //"Rebuild now"; while it runs, the admin saves another rule, and the save starts a rebuild as the controller does
        await runs.StartAsync(segment);
        await started.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var saved = await SegmentService.GetSegmentByIdAsync(segment.Id);
        saved.RuleJson = Json(Company("Other"));
        await SegmentService.UpdateSegmentAsync(saved);
        await runs.StartAsync(saved);
        edited.SetResult();

        await WaitForRebuildRunsAsync();

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { bob.Id }),
            $"the saved rule takes the customers of Other (ann is {ann.Id}, bob {bob.Id})");
    }

    [Test]
    public async Task ASegmentSwitchedToStaticWhileAScheduledRunWorksKeepsTheMembersPickedByHand()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Other");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        await RebuildService.RebuildAllSegmentsAsync();

        var rebuild = new InterleavedRebuildService(this)
        {
            //the run loaded the segments; the admin makes Acme a static list and adds bob by hand
            BeforeSegmentWrite = async _ =>
            {
                var saved = await SegmentService.GetSegmentByIdAsync(acme.Id);
                saved.SegmentTypeId = (int)SegmentType.Static;
                await SegmentService.UpdateSegmentAsync(saved);
                Assert.That(await StaticService.AddCustomersAsync(saved, [bob.Id]), Is.EqualTo(1));
            }
        };
        await rebuild.RebuildAllSegmentsOnScheduleAsync();

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { ann.Id, bob.Id }.Order()),
            "a static segment's members are those picked by hand; a rebuild never writes them");
    }

    [Test]
    public async Task ACustomerDeletedOrMadeASystemAccountLeavesTheStaticSegmentsHeWasIn()
    {
        var ann = await CustomerAsync("ann@example.com");
        var bob = await CustomerAsync("bob@example.com");
        var cid = await CustomerAsync("cid@example.com");
        var list = await SegmentAsync("VIP list", null, SegmentType.Static);
        Assert.That(await StaticService.AddCustomersAsync(list, [ann.Id, bob.Id, cid.Id]), Is.EqualTo(3));

        //nopCommerce deletes ann; another plugin makes bob a system account; both publish the update; the full rebuild follows
        ann.Deleted = true;
        await Repository<Customer>().UpdateAsync(ann, false);
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(ann));
        bob.IsSystemAccount = true;
        await Repository<Customer>().UpdateAsync(bob, false);
        await PublishAsync<EntityUpdatedEvent<Customer>>(Customers, new EntityUpdatedEvent<Customer>(bob));
        await RebuildService.RebuildAllSegmentsAsync();

        Assert.That(await CurrentMemberIdsAsync(list.Id), Is.EqualTo(new[] { cid.Id }), "deleted customers and system accounts are never members");
        Assert.That(await MembershipService.GetSegmentIdsOfCustomerAsync(ann.Id), Is.Empty);
    }
}
