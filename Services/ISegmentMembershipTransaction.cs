namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Runs the membership writes of one segment as a unit: all of them or none, and one writer per segment at a time
/// </summary>
public interface ISegmentMembershipTransaction
{
    /// <summary>
    /// Runs the writes in a transaction that first locks the segment's row, so that a rebuild and the
    /// re-evaluation of a customer never both open a stay for the same customer
    /// </summary>
    /// <param name="segmentId">Segment identifier</param>
    /// <param name="writeAsync">The writes; their changes are committed only when it completes</param>
    Task<TResult> RunAsync<TResult>(int segmentId, Func<Task<TResult>> writeAsync);
}
