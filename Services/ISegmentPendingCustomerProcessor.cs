namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Works off the queue of customers events could not re-evaluate (see <see cref="ISegmentPendingCustomerService"/>) at
/// the end of a run that holds the rebuild lease: the scheduled task and "rebuild now"
/// </summary>
public interface ISegmentPendingCustomerProcessor
{
    /// <summary>
    /// Re-evaluates the queued customers and reports in the log how many changes were processed; a failure is logged,
    /// not thrown, and leaves the customers it concerns queued for the next run
    /// </summary>
    /// <param name="continueAsync">Renews the caller's lease; false when it was lost</param>
    Task ProcessAsync(Func<Task<bool>> continueAsync);
}
