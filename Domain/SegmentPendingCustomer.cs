using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// A customer whose segments an event could not re-evaluate when it was announced (see
/// <see cref="Services.ISegmentPendingCustomerService"/>); the next scheduled rebuild re-evaluates him
/// </summary>
public class SegmentPendingCustomer : BaseEntity
{
    public int CustomerId { get; set; }

    /// <summary>
    /// The data the event changed (flags of <see cref="Services.Rules.RuleDataSources"/>)
    /// </summary>
    public int DataSourcesId { get; set; }

    public DateTime QueuedOnUtc { get; set; }
}
