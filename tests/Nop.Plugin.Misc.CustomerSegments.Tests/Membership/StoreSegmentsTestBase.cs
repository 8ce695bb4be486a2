using LinqToDB;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// Segments limited to stores, and what becomes of them when a store is deleted: the deactivator over the test's
/// services, and the reads the tests compare before and after
/// </summary>
public abstract class StoreSegmentsTestBase : MembershipTestBase
{
    protected StoreSegmentsTestBase(DatabaseEngine engine) : base(engine)
    {
    }

    protected StoreSegmentDeactivator NewDeactivator() =>
        new(Logger.Object, Repository<Segment>(), Repository<Store>(), NewRebuildRunService(), SegmentService);

    protected async Task<Segment> StoreSegmentAsync(string name, int storeId, string ruleJson, SegmentType type = SegmentType.Dynamic, bool active = true)
    {
        var segment = new Segment
        {
            Name = name,
            SegmentTypeId = (int)type,
            RuleJson = ruleJson,
            RuleSchemaVersion = ruleJson is null ? 0 : 1,
            Active = active,
            StoreId = storeId
        };
        await SegmentService.InsertSegmentAsync(segment);
        return segment;
    }

    protected async Task<Dictionary<int, bool>> ActiveByIdAsync() =>
        (await Repository<Segment>().Table.ToListAsync()).ToDictionary(segment => segment.Id, segment => segment.Active);

    protected async Task<List<(int Id, int SegmentId, int CustomerId, DateTime EnteredOnUtc, DateTime? LeftOnUtc)>> AllMembershipRowsAsync() =>
        (await Repository<SegmentMembership>().Table.ToListAsync())
        .Select(row => (row.Id, row.SegmentId, row.CustomerId, row.EnteredOnUtc, row.LeftOnUtc))
        .OrderBy(row => row.Id).ToList();

    /// <summary>
    /// Waits until the segment's one run finished
    /// </summary>
    protected Task<SegmentRebuildRun> WaitForRunOfAsync(int segmentId) =>
        PollAsync(async () => (await Repository<SegmentRebuildRun>().Table.Where(run => run.SegmentId == segmentId).ToListAsync()).SingleOrDefault(),
            Finished);
}
