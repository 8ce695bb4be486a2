namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Runs the membership writes of one segment as a unit: all of them or none, and one writer per segment at a time
/// </summary>
public interface ISegmentMembershipTransaction
{
    /// <summary>
    /// Runs the writes in a transaction that first locks the rows of the segment and of the segments whose
    /// members its rule reads, so that a rebuild and the re-evaluation of a customer never both open a stay for
    /// the same customer, and a segment's members do not change while a segment that reads them is written
    /// </summary>
    /// <param name="segmentId">The segment written</param>
    /// <param name="referencedSegmentIds">The segments whose members its rule reads</param>
    /// <param name="writeAsync">The writes; their changes are committed only when it completes</param>
    Task<TResult> RunAsync<TResult>(int segmentId, IEnumerable<int> referencedSegmentIds, Func<Task<TResult>> writeAsync);

    /// <summary>
    /// Runs writes that belong to no one segment (e.g. the order statistics) the same way: in one transaction,
    /// run again when they fail in the database
    /// </summary>
    /// <param name="writeAsync">The writes; their changes are committed only when it completes</param>
    Task RunAsync(Func<Task> writeAsync);
}
