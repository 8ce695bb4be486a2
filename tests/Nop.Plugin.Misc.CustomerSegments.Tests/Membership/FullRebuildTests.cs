using LinqToDB;
using LinqToDB.Data;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The full rebuild (eligible customers read once, each rule's conditions read, compared in memory with the current
/// members, only the differences written) ends in exactly the members the rule's full query selects, from empty
/// memberships and over current ones, keeps the history of leavers, and changes nothing when run again
/// </summary>
public class FullRebuildTests : MembershipTestBase
{
    private const int Seed = 20261123;

    public FullRebuildTests(DatabaseEngine engine) : base(engine)
    {
    }

    [SetUp]
    public Task EmptyTheTablesTheRandomShopAddsAsync() => Repository<ProductManufacturer>().DeleteAsync(_ => true);

    private async Task<HashSet<int>> ExpectedAsync(ISegmentRuleQueryBuilder queries, Segment segment)
    {
        var rule = Serializer.Parse(segment.RuleJson).Rule;
        return (await (await queries.BuildMatchingCustomerIdsQueryAsync(rule, segment.StoreId, DateTime.UtcNow)).ToListAsync()).ToHashSet();
    }

    private async Task<List<SegmentMembership>> AllRowsAsync() =>
        (await Repository<SegmentMembership>().Table.ToListAsync()).OrderBy(row => row.Id).ToList();

    /// <summary>
    /// Random valid rules over the shop's data (with negated groups), and segments that read other segments' members
    /// </summary>
    private async Task<List<Segment>> SegmentsAsync(RandomShop shop)
    {
        await RandomRuleRowsAsync();
        var rules = new RandomRules(Seed, Catalog, shop.Roles.Select(role => role.Id).ToList());
        var segments = new List<Segment>();
        while (segments.Count < 8)
        {
            var rule = rules.Rule();
            if (Analyzer.GetDependencies(rule).ReferencedSegmentIds.Count > 0 || (await Validator.ValidateAsync(rule, 0)).Count > 0)
                continue;

            segments.Add(await SegmentAsync($"Random {segments.Count}", Serializer.Serialize(rule)));
        }

        Assert.That(segments.Select(segment => Serializer.Parse(segment.RuleJson).Rule).Any(rule => HasNegatedGroup(rule.Root)), Is.True,
            "some rule has a negated group");

        segments.Add(await SegmentAsync("Members of 0 who bought", Json(MemberOf(segments[0].Id), OrdersAtLeast(1))));
        var notInOne = new SegmentRule
        {
            Root = new RuleGroup
            {
                Children =
                [
                    new RuleGroup { Negate = true, Children = [MemberOf(segments[1].Id)] },
                    new RuleGroup { Match = GroupMatch.Any, Children = [MemberOf(segments[2].Id), MemberOf(segments[^1].Id)] }
                ]
            }
        };
        segments.Add(await SegmentAsync("Not in 1, in 2 or in the buyers of 0", Serializer.Serialize(notInOne)));

        return segments;
    }

    private static bool HasNegatedGroup(RuleGroup group) =>
        group.Negate || group.Children.OfType<RuleGroup>().Any(HasNegatedGroup);

    private async Task AssertMembersAreTheRulesQueriesAsync(ISegmentRuleQueryBuilder queries, IEnumerable<Segment> segments, string when)
    {
        foreach (var segment in segments)
            Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EquivalentTo(await ExpectedAsync(queries, segment)), $"{when}: {segment.Name} {segment.RuleJson}");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task FromEmptyAndOverCurrentMembershipsTheMembersAreTheRulesQueriesAndLeaversKeepTheirRows(bool includeGuests)
    {
        var shop = await RandomShop.CreateAsync(Shop, Seed, 250);
        await Repository<SegmentMembership>().DeleteAsync(_ => true);
        var queries = NewQueryBuilder(new CustomerSegmentsSettings { IncludeGuests = includeGuests });
        var rebuild = NewRebuildService(queries);
        var segments = await SegmentsAsync(shop);

        var first = await rebuild.RebuildAllSegmentsAsync();

        Assert.That(first.Select(result => result.SegmentId), Is.EquivalentTo(segments.Select(segment => segment.Id)));
        await AssertMembersAreTheRulesQueriesAsync(queries, segments, "from empty");
        foreach (var result in first)
            Assert.That((result.Entered, result.Left), Is.EqualTo(((await CurrentMemberIdsAsync(result.SegmentId)).Length, 0)));
        var eligible = await ExpectedAsync(queries, new Segment { RuleJson = Serializer.Serialize(new SegmentRule()) });
        Assert.That(first.Count(result => result.Entered > 0 && result.Entered < eligible.Count), Is.GreaterThan(segments.Count / 2),
            "most segments take some customers and not others");

        //the data moves: deleted customers and system accounts come back, others are deleted, become guests or system
        //accounts, change company
        var before = await AllRowsAsync();
        var random = new Random(Seed);
        var guests = shop.Roles.Single(role => role.SystemName == NopCustomerDefaults.GuestsRoleName);
        foreach (var customer in shop.Customers.Where(customer => customer.Deleted || customer.IsSystemAccount || random.Next(5) == 0))
        {
            switch (customer.Deleted || customer.IsSystemAccount ? 0 : random.Next(4))
            {
                case 0:
                    customer.Deleted = !customer.Deleted;
                    customer.IsSystemAccount = false;
                    break;
                case 1:
                    customer.IsSystemAccount = true;
                    break;
                case 2:
                    customer.Company = RandomShop.Companies[random.Next(RandomShop.Companies.Length)];
                    break;
                default:
                    var customerId = customer.Id;
                    await Repository<CustomerCustomerRoleMapping>().DeleteAsync(mapping => mapping.CustomerId == customerId);
                    await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = customerId, CustomerRoleId = guests.Id }, false);
                    break;
            }

            await Repository<Customer>().UpdateAsync(customer, false);
        }

        var second = await rebuild.RebuildAllSegmentsAsync();

        await AssertMembersAreTheRulesQueriesAsync(queries, segments, "over current memberships");
        Assert.That(second.Sum(result => result.Left), Is.GreaterThan(0));
        Assert.That(second.Sum(result => result.Entered), Is.GreaterThan(0));
        var after = await AllRowsAsync();
        foreach (var result in second)
        {
            var rowsBefore = before.Where(row => row.SegmentId == result.SegmentId).ToList();
            var rowsAfter = after.Where(row => row.SegmentId == result.SegmentId).ToList();
            //every row is still there; the leavers' rows are closed, the joiners have new rows
            Assert.That(rowsAfter.Select(row => row.Id), Is.SupersetOf(rowsBefore.Select(row => row.Id)));
            Assert.That(rowsAfter.Count(row => row.LeftOnUtc != null), Is.EqualTo(result.Left));
            Assert.That(rowsAfter.Count - rowsBefore.Count, Is.EqualTo(result.Entered));
            var stayed = rowsAfter.Where(row => row.LeftOnUtc == null).Select(row => row.Id).Intersect(rowsBefore.Select(row => row.Id));
            Assert.That(rowsAfter.Where(row => stayed.Contains(row.Id)).Select(row => (row.CustomerId, row.EnteredOnUtc)),
                Is.EqualTo(rowsBefore.Where(row => stayed.Contains(row.Id)).Select(row => (row.CustomerId, row.EnteredOnUtc))), "the rows of members who stay are untouched");
        }

        var third = await rebuild.RebuildAllSegmentsAsync();

        Assert.That(third.Select(result => (result.Entered, result.Left)), Is.All.EqualTo((0, 0)));
        Assert.That((await AllRowsAsync()).Select(row => (row.Id, row.SegmentId, row.CustomerId, row.EnteredOnUtc, row.LeftOnUtc)),
            Is.EqualTo(after.Select(row => (row.Id, row.SegmentId, row.CustomerId, row.EnteredOnUtc, row.LeftOnUtc))), "running again changes nothing");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task ARebuildClosesTheStaysOfDeletedCustomersAndOfGuestsUnlessTheSettingsIncludeThem(bool includeGuests)
    {
        var guestsRole = await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName);
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Acme");
        var cid = await CustomerAsync("cid@example.com", "Acme");
        var dan = await CustomerAsync("dan@example.com", "Acme");
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = bob.Id, CustomerRoleId = guestsRole.Id }, false);
        ann.Deleted = true;
        await Repository<Customer>().UpdateAsync(ann, false);
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));
        var entered = DateTime.UtcNow.AddDays(-3);
        //members from before: the deleted customer, the guest, and one who still matches; dan is new
        await Repository<SegmentMembership>().InsertAsync(new[] { ann, bob, cid }
            .Select(customer => new SegmentMembership { SegmentId = segment.Id, CustomerId = customer.Id, EnteredOnUtc = entered }).ToList(), false);
        var before = await RowsAsync(segment.Id);

        var result = await NewRebuildService(NewQueryBuilder(new CustomerSegmentsSettings { IncludeGuests = includeGuests })).RebuildSegmentAsync(segment);

        var members = includeGuests ? new[] { bob.Id, cid.Id, dan.Id } : [cid.Id, dan.Id];
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(members.Order()));
        Assert.That(result, Is.EqualTo(new SegmentRebuildResult(segment.Id, 1, includeGuests ? 1 : 2)));
        var rows = await RowsAsync(segment.Id);
        Assert.That(rows, Has.Count.EqualTo(4), "the leavers' rows stay, as history");
        Assert.That(rows.Single(row => row.CustomerId == ann.Id).LeftOnUtc, Is.Not.Null);
        Assert.That(rows.Single(row => row.CustomerId == bob.Id).LeftOnUtc, includeGuests ? Is.Null : Is.Not.Null);
        Assert.That(rows.Single(row => row.CustomerId == cid.Id).Id, Is.EqualTo(before.Single(row => row.CustomerId == cid.Id).Id));
        Assert.That(rows.Single(row => row.CustomerId == cid.Id).LeftOnUtc, Is.Null);
        Assert.That(rows.Single(row => row.CustomerId == dan.Id).EnteredOnUtc, Is.GreaterThan(entered));
    }

    /// <summary>
    /// The eligible customers a run reads (composed in memory from the candidates and the guests' and registered
    /// customers' role mappings) are those of the empty rule's query, whatever roles a customer has
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task TheEligibleCustomersOfARunAreThoseOfTheEmptyRulesQuery(bool includeGuests)
    {
        var guests = new CustomerRole { Name = "Guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
        var registered = new CustomerRole { Name = "Registered", SystemName = NopCustomerDefaults.RegisteredRoleName, Active = true };
        var vendors = new CustomerRole { Name = "Vendors", SystemName = "Vendors", Active = true };
        //a second role with the guests' system name counts as the guests' role, as in the rule queries
        var moreGuests = new CustomerRole { Name = "More guests", SystemName = NopCustomerDefaults.GuestsRoleName, Active = true };
        await Repository<CustomerRole>().InsertAsync([guests, registered, vendors, moreGuests], false);
        var customers = new Dictionary<string, Customer>();
        async Task customerAsync(string name, bool deleted = false, bool system = false, params CustomerRole[] roles)
        {
            var customer = await CustomerAsync($"{name}@example.com", "Acme");
            customer.Deleted = deleted;
            customer.IsSystemAccount = system;
            await Repository<Customer>().UpdateAsync(customer, false);
            foreach (var role in roles)
                await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id }, false);
            customers[name] = customer;
        }

        await customerAsync("noroles");
        await customerAsync("registered", roles: registered);
        await customerAsync("guest", roles: guests);
        await customerAsync("guestandregistered", roles: [guests, registered]);
        await customerAsync("guestandvendor", roles: [guests, vendors]);
        await customerAsync("bothguestroles", roles: [guests, moreGuests]);
        await customerAsync("otherguestrole", roles: moreGuests);
        await customerAsync("vendor", roles: vendors);
        await customerAsync("deletedregistered", deleted: true, roles: registered);
        await customerAsync("deletedguest", deleted: true, roles: guests);
        await customerAsync("system", system: true);
        await customerAsync("systemguest", system: true, roles: guests);
        //a mapping of a customer who does not exist
        await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = customers.Values.Max(c => c.Id) + 100, CustomerRoleId = registered.Id }, false);
        var queries = NewQueryBuilder(new CustomerSegmentsSettings { IncludeGuests = includeGuests });
        var segment = await SegmentAsync("Acme", Json(Company("Acme")));

        await NewRebuildService(queries).RebuildAllSegmentsAsync();

        var expected = new[] { "noroles", "registered", "guestandregistered", "vendor" }
            .Concat(includeGuests ? ["guest", "guestandvendor", "bothguestroles", "otherguestrole"] : [])
            .Select(name => customers[name].Id).Order();
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(expected));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EquivalentTo(await ExpectedAsync(queries, new Segment { RuleJson = Serializer.Serialize(new SegmentRule()) })));
    }

    [Test]
    public async Task ManyJoinersAreBulkCopiedWithinTheSegmentsTransaction()
    {
        var customers = Enumerable.Range(0, 300).Select(i => new Customer
        {
            CustomerGuid = Guid.NewGuid(), Email = $"c{i}@example.com", Username = $"c{i}@example.com", Active = true,
            CreatedOnUtc = DateTime.UtcNow.AddDays(-1), LastActivityDateUtc = DateTime.UtcNow
        }).ToList();
        await Repository<Customer>().InsertAsync(customers, false);
        var segment = await SegmentAsync("All", Json(Active(true)));
        var ids = customers.Select(customer => customer.Id).ToList();
        //an old stay of a member who left, and a current member who leaves
        await Repository<SegmentMembership>().InsertAsync([
            new SegmentMembership { SegmentId = segment.Id, CustomerId = ids[0], EnteredOnUtc = DateTime.UtcNow.AddDays(-9), LeftOnUtc = DateTime.UtcNow.AddDays(-8) },
            new SegmentMembership { SegmentId = segment.Id, CustomerId = ids[1], EnteredOnUtc = DateTime.UtcNow.AddDays(-7) }
        ], false);
        var members = new CustomerIdSet();
        foreach (var id in ids.Skip(2).Prepend(ids[0]))
            members.Add(id);
        var synchronizer = new BulkSynchronizer(Shop);
        var transaction = new SegmentMembershipTransaction(Repository<Segment>());

        //a failure after the writes: where the engine has transactions, nothing is left of them
        Assert.ThrowsAsync<InvalidOperationException>(() => transaction.RunAsync<int>(segment.Id, [], async () =>
        {
            await synchronizer.SynchronizeAsync(segment.Id, members, DateTime.UtcNow);
            throw new InvalidOperationException("after the writes");
        }));
        if (Engine != DatabaseEngine.Sqlite)
            Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { ids[1] }), "rolled back");
        else
        {
            //no transaction: undone by hand
            await Repository<SegmentMembership>().DeleteAsync(row => row.SegmentId == segment.Id && row.EnteredOnUtc > DateTime.UtcNow.AddDays(-1));
            var leaver = ids[1];
            await Repository<SegmentMembership>().Table.Where(row => row.CustomerId == leaver)
                .Set(row => row.LeftOnUtc, (DateTime?)null)
                .UpdateAsync();
        }

        var (entered, left) = await transaction.RunAsync(segment.Id, [], () => synchronizer.SynchronizeAsync(segment.Id, members, DateTime.UtcNow));

        Assert.That(synchronizer.BulkCopies, Is.GreaterThan(0));
        //PostgreSQL's binary COPY, rolled back with the transaction above like the statements
        Assert.That(synchronizer.CopyTypes, Is.All.EqualTo(Engine == DatabaseEngine.PostgreSql ? BulkCopyType.ProviderSpecific : BulkCopyType.Default));
        Assert.That((entered, left), Is.EqualTo((members.Count, 1)));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(members.ToArray()));
        var rows = await RowsAsync(segment.Id);
        Assert.That(rows.Where(row => row.CustomerId == ids[0]).Select(row => row.LeftOnUtc == null), Is.EqualTo(new[] { false, true }));
        Assert.That(rows.Single(row => row.CustomerId == ids[1]).LeftOnUtc, Is.Not.Null);
        Assert.That(rows.Select(row => row.Id).Distinct().Count(), Is.EqualTo(rows.Count));

        //the table's identity goes on after the bulk copy: a stay opened by a statement gets a new id
        var late = await CustomerAsync("late@example.com");
        members.Add(late.Id);
        Assert.That(await NewSynchronizer().SynchronizeAsync(segment.Id, members, DateTime.UtcNow), Is.EqualTo((1, 0)));
        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(members.ToArray()));
        rows = await RowsAsync(segment.Id);
        Assert.That(rows.Select(row => row.Id).Distinct().Count(), Is.EqualTo(rows.Count));
        Assert.That(rows.Single(row => row.CustomerId == late.Id).Id, Is.GreaterThan(rows.Where(row => row.CustomerId != late.Id).Max(row => row.Id)));
    }

    [Test]
    public async Task SegmentsReadingOtherSegmentsFollowTheirChangesInTheSameRun()
    {
        var ann = await CustomerAsync("ann@example.com", "Acme");
        var bob = await CustomerAsync("bob@example.com", "Other");
        var acme = await SegmentAsync("Acme", Json(Company("Acme")));
        var notAcme = await SegmentAsync("Not Acme", Serializer.Serialize(new SegmentRule
        {
            Root = new RuleGroup { Children = [new RuleGroup { Negate = true, Children = [MemberOf(acme.Id)] }] }
        }));
        await RebuildService.RebuildAllSegmentsAsync();
        Assert.That(await CurrentMemberIdsAsync(notAcme.Id), Is.EqualTo(new[] { bob.Id }));

        ann.Company = "Other";
        bob.Company = "Acme";
        await Repository<Customer>().UpdateAsync([ann, bob], false);
        var results = await RebuildService.RebuildAllSegmentsAsync();

        Assert.That(await CurrentMemberIdsAsync(acme.Id), Is.EqualTo(new[] { bob.Id }));
        Assert.That(await CurrentMemberIdsAsync(notAcme.Id), Is.EqualTo(new[] { ann.Id }));
        Assert.That(results.Select(result => (result.SegmentId, result.Entered, result.Left)), Is.EquivalentTo(new[] { (acme.Id, 1, 1), (notAcme.Id, 1, 1) }));
    }

    /// <summary>
    /// The plugin's synchronizer, bulk copying every joiner
    /// </summary>
    private sealed class BulkSynchronizer(TestShop shop)
        : SegmentMembershipSynchronizer(shop.DataProvider, shop.Repository<Customer>(), shop.Repository<SegmentMembership>())
    {
        public int BulkCopies { get; private set; }

        public List<BulkCopyType> CopyTypes { get; } = [];

        protected override BulkCopyOptions BulkCopyOptionsFor(ITable<SegmentMembership> table)
        {
            var options = base.BulkCopyOptionsFor(table);
            CopyTypes.Add(options.BulkCopyType);
            return options;
        }

        protected override int BulkCopyThreshold => 0;

        protected override Task<int> BulkOpenStaysAsync(int segmentId, IEnumerable<int> customerIds, DateTime nowUtc)
        {
            BulkCopies++;
            return base.BulkOpenStaysAsync(segmentId, customerIds, nowUtc);
        }
    }
}
