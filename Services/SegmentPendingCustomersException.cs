namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Thrown once the queue has been worked through when some queued customers could not be re-evaluated: they stay
/// queued, and the others were re-evaluated and removed from the queue
/// </summary>
public class SegmentPendingCustomersException : Exception
{
    public SegmentPendingCustomersException(IList<int> customerIds, int processed, Exception firstFailure)
        : base($"Re-evaluating the queued changes of customers {Describe(customerIds)} failed", firstFailure)
    {
        CustomerIds = customerIds;
        Processed = processed;
    }

    /// <summary>
    /// The customers still queued because their re-evaluation failed
    /// </summary>
    public IList<int> CustomerIds { get; }

    /// <summary>
    /// How many queued rows of other customers were processed
    /// </summary>
    public int Processed { get; }

    /// <summary>
    /// The customers' ids for a message: the first 20, and how many more
    /// </summary>
    public static string Describe(IList<int> customerIds) =>
        string.Join(", ", customerIds.Take(20)) + (customerIds.Count > 20 ? $" and {customerIds.Count - 20} more" : string.Empty);
}
