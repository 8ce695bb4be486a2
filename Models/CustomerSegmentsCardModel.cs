using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// The card on the admin customer page: the segments the customer is in now
/// </summary>
public record CustomerSegmentsCardModel : BaseNopModel
{
    public int CustomerId { get; set; }

    public IList<CustomerSegmentItemModel> Segments { get; set; } = [];
}

public record CustomerSegmentItemModel(int SegmentId, string Name, bool IsDynamic, DateTime EnteredOn);
