using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Base of the consumers that keep segments current: re-evaluates the customers an event touches, and never
/// lets a failure reach the shop's own flow (it is logged; the next rebuild corrects the membership)
/// </summary>
public abstract class SegmentEventConsumerBase
{
    protected readonly ILogger _logger;
    protected readonly ISegmentRebuildService _segmentRebuildService;

    protected SegmentEventConsumerBase(ILogger logger, ISegmentRebuildService segmentRebuildService)
    {
        _logger = logger;
        _segmentRebuildService = segmentRebuildService;
    }

    /// <summary>
    /// Re-evaluates the customers the event is about, in the segments that read the changed data
    /// </summary>
    /// <param name="getCustomerIds">The customers (may query the database; failures are caught too)</param>
    /// <param name="changed">The data the event changed</param>
    /// <param name="eventName">For the log</param>
    protected virtual Task ReevaluateAsync(Func<Task<IEnumerable<int>>> getCustomerIds, RuleDataSources changed, string eventName) =>
        RunLoggingFailuresAsync(async () =>
        {
            var customerIds = (await getCustomerIds() ?? []).Where(id => id > 0).Distinct().ToList();
            if (customerIds.Count > 0)
                await _segmentRebuildService.ReevaluateCustomersAsync(customerIds, changed);
        }, eventName);

    /// <summary>
    /// Runs a re-evaluation; a failure is logged, never thrown
    /// </summary>
    /// <param name="reevaluateAsync">The re-evaluation</param>
    /// <param name="eventName">For the log</param>
    protected virtual async Task RunLoggingFailuresAsync(Func<Task> reevaluateAsync, string eventName)
    {
        try
        {
            await reevaluateAsync();
        }
        catch (Exception exception)
        {
            try
            {
                await _logger.ErrorAsync($"Customer segments: updating segments after {eventName} failed; the next rebuild corrects them", exception);
            }
            catch
            {
                //the log is unavailable too: the shop's flow still goes on
            }
        }
    }

    protected Task ReevaluateAsync(IEnumerable<int> customerIds, RuleDataSources changed, string eventName) =>
        ReevaluateAsync(() => Task.FromResult(customerIds), changed, eventName);
}
