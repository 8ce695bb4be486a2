namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Rules of segments most shops keep, for the admin to start a new segment from
/// </summary>
public interface ISegmentTemplateCatalog
{
    /// <summary>
    /// The templates, in the order the admin sees them
    /// </summary>
    IReadOnlyList<SegmentTemplate> GetTemplates();

    /// <summary>
    /// The template of that system name, or null
    /// </summary>
    SegmentTemplate GetTemplate(string systemName);
}

/// <summary>
/// A starting point for a dynamic segment: its rule, and its name and description under the locale resources
/// <c>Templates.{SystemName}</c> and <c>Templates.{SystemName}.Description</c>
/// </summary>
public record SegmentTemplate(string SystemName, SegmentRule Rule)
{
    public string NameResource => $"Templates.{SystemName}";

    public string DescriptionResource => $"Templates.{SystemName}.Description";
}
