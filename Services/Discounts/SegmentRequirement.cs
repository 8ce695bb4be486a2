using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Discounts;

/// <summary>
/// What a discount requirement of this plugin asks: the customer is in any (or all) of the included segments
/// and in none of the excluded ones. Saved as JSON in a setting keyed by the requirement id
/// </summary>
public class SegmentRequirement
{
    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public List<int> IncludeSegmentIds { get; set; } = [];

    /// <summary>
    /// Whether the customer must be in all included segments rather than in any of them
    /// </summary>
    public bool RequireAll { get; set; }

    public List<int> ExcludeSegmentIds { get; set; } = [];

    /// <summary>
    /// Every segment the requirement names
    /// </summary>
    [JsonIgnore]
    public IEnumerable<int> AllSegmentIds => IncludeSegmentIds.Concat(ExcludeSegmentIds).Distinct();

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// Reads a saved requirement; null when there is none or it cannot be read (the requirement then fails)
    /// </summary>
    public static SegmentRequirement Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;

        try
        {
            var requirement = JsonSerializer.Deserialize<SegmentRequirement>(json, JsonOptions);
            if (requirement is null)
                return null;

            requirement.IncludeSegmentIds ??= [];
            requirement.ExcludeSegmentIds ??= [];

            return requirement;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
