namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// A discount whose requirement targets a segment
/// </summary>
public record SegmentDiscountUsageModel(int DiscountId, string DiscountName, int RequirementId);
