using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Events;

/// <summary>
/// Base of the consumers of an order's events and of its items' events: both re-evaluate the order's customer with
/// what the order changed among his purchases, queue him while the order figures are recomputed in full, and let the
/// request remember the order once he was re-evaluated (see <see cref="IReevaluatedOrderTracker"/>)
/// </summary>
public abstract class OrderEventConsumerBase : SegmentEventConsumerBase
{
    protected readonly CustomerSegmentsSettings _settings;
    protected readonly IReevaluatedOrderTracker _reevaluatedOrderTracker;

    protected OrderEventConsumerBase(CustomerSegmentsSettings settings, ILogger logger, ISegmentPendingCustomerService segmentPendingCustomerService,
        ISegmentReevaluationService segmentReevaluationService, IReevaluatedOrderTracker reevaluatedOrderTracker)
        : base(logger, segmentPendingCustomerService, segmentReevaluationService)
    {
        _settings = settings;
        _reevaluatedOrderTracker = reevaluatedOrderTracker;
    }

    protected override bool OrderFiguresBeingRecomputed() => CustomerOrderStatisticsService.AreBeingRecomputed(_settings, DateTime.UtcNow);

    /// <summary>
    /// Re-evaluates the order's customer (see <see cref="ISegmentReevaluationService.ReevaluateOrderCustomerAsync"/>), or
    /// queues him while the order figures are recomputed or when the re-evaluation failed; the order is
    /// remembered only when he was re-evaluated
    /// </summary>
    protected virtual async Task ReevaluateOrderCustomerAsync(Order order)
    {
        if (await QueueIfOrderFiguresBeingRecomputedAsync([order.CustomerId], RuleDataSources.Orders))
            return;

        if (!await ReevaluateOrQueueAsync([order.CustomerId], RuleDataSources.Orders, () => _segmentReevaluationService.ReevaluateOrderCustomerAsync(order)))
            _reevaluatedOrderTracker.Reevaluated(order);
    }
}
