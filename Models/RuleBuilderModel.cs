namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// What the rule builder script is fed: rendered into the page as JSON
/// </summary>
public record RuleBuilderModel
{
    public int SegmentId { get; init; }

    /// <summary>
    /// The rule as JSON (an empty "all of" group for a new segment)
    /// </summary>
    public string RuleJson { get; init; }

    /// <summary>
    /// The field catalog, as JSON: categories with their fields, operators, data types and value sources
    /// </summary>
    public string CatalogJson { get; init; }

    public string LookupUrl { get; init; }

    public string PreviewUrl { get; init; }

    /// <summary>
    /// Errors of the posted rule, as JSON [{path, message}], so the builder marks the conditions
    /// </summary>
    public string ErrorsJson { get; init; }
}
