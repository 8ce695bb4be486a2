using Nop.Core;
using Nop.Core.Domain.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Domain;

/// <summary>
/// A customer segment: a named group of customers, chosen by a rule or by hand
/// </summary>
public class Segment : BaseEntity, ILocalizedEntity
{
    public string Name { get; set; }

    public string Description { get; set; }

    /// <summary>
    /// Identifier of the <see cref="SegmentType"/>
    /// </summary>
    public int SegmentTypeId { get; set; }

    /// <summary>
    /// The rule of a dynamic segment, as JSON
    /// </summary>
    public string RuleJson { get; set; }

    /// <summary>
    /// Version of the rule's JSON schema, so that later versions can read older rules
    /// </summary>
    public int RuleSchemaVersion { get; set; }

    public bool Active { get; set; }

    /// <summary>
    /// The store whose customers the segment is about; 0 for all stores
    /// </summary>
    public int StoreId { get; set; }

    public DateTime CreatedOnUtc { get; set; }

    public DateTime UpdatedOnUtc { get; set; }

    public DateTime? LastRebuiltOnUtc { get; set; }

    /// <summary>
    /// Short text shown to members about the offers the segment unlocks; localized per language
    /// </summary>
    public string ShopperMessage { get; set; }
}
