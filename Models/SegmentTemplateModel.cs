namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// A template a new segment can start from, as the create page offers it
/// </summary>
public record SegmentTemplateModel(string SystemName, string Name, string Description);
