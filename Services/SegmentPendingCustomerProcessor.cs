using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Re-evaluates the queued customers for a run holding the rebuild lease, and tells the log what came of it
/// </summary>
public class SegmentPendingCustomerProcessor : ISegmentPendingCustomerProcessor
{
    protected readonly ILogger _logger;
    protected readonly ISegmentPendingCustomerService _segmentPendingCustomerService;

    public SegmentPendingCustomerProcessor(ILogger logger, ISegmentPendingCustomerService segmentPendingCustomerService)
    {
        _logger = logger;
        _segmentPendingCustomerService = segmentPendingCustomerService;
    }

    protected virtual async Task LogProcessedAsync(int processed)
    {
        if (processed > 0)
            await _logger.InformationAsync($"Customer segments: re-evaluated the customers of {processed} queued changes (events announced inside transactions, or while the order figures were recomputed)");
    }

    public virtual async Task ProcessAsync(Func<Task<bool>> continueAsync)
    {
        try
        {
            await LogProcessedAsync(await _segmentPendingCustomerService.ProcessAsync(continueAsync));
        }
        catch (SegmentPendingCustomersException exception)
        {
            await LogProcessedAsync(exception.Processed);
            await _logger.ErrorAsync($"Customer segments: re-evaluating the queued changes of customers {SegmentPendingCustomersException.Describe(exception.CustomerIds)} " +
                "failed; they stay queued for the next run", exception.InnerException);
        }
        catch (Exception exception)
        {
            await _logger.ErrorAsync("Customer segments: re-evaluating the queued customers failed; they stay queued for the next run", exception);
        }
    }
}
