using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Web.Framework.Models;
using Nop.Web.Framework.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// A segment on the list, the create/edit page and the segment page
/// </summary>
public record SegmentModel : BaseNopEntityModel, ILocalizedModel<SegmentLocalizedModel>
{
    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.Name")]
    public string Name { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.Description")]
    public string Description { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.ShopperMessage")]
    public string ShopperMessage { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.Active")]
    public bool Active { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.Store")]
    public int StoreId { get; set; }

    public string StoreName { get; set; }

    public IList<SelectListItem> AvailableStores { get; set; } = [];

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.SegmentType")]
    public int SegmentTypeId { get; set; }

    public string SegmentTypeName { get; set; }

    public IList<SelectListItem> AvailableSegmentTypes { get; set; } = [];

    public bool IsDynamic { get; set; }

    /// <summary>
    /// The rule of a dynamic segment, as the rule builder posts it back
    /// </summary>
    public string RuleJson { get; set; }

    /// <summary>
    /// Whether the stored rule of a dynamic segment no longer validates (the list): the rebuilds and the events skip
    /// the segment and keep its members until its rule is fixed
    /// </summary>
    public bool InvalidRule { get; set; }

    /// <summary>
    /// What is wrong with that rule, the first of the validator's errors in the admin's language (the list)
    /// </summary>
    public string InvalidRuleMessage { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.MemberCount")]
    public int MemberCount { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.LastRebuiltOn")]
    public DateTime? LastRebuiltOn { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.CreatedOn")]
    public DateTime CreatedOn { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.UpdatedOn")]
    public DateTime UpdatedOn { get; set; }

    /// <summary>
    /// What the rule builder needs: the rule, the field catalog and the URLs it calls
    /// </summary>
    public RuleBuilderModel RuleBuilder { get; set; }

    /// <summary>
    /// Why the rule could not be saved, by condition path
    /// </summary>
    public IList<RuleErrorModel> RuleErrors { get; set; } = [];

    /// <summary>
    /// Discounts whose requirements name this segment (listed before deletion)
    /// </summary>
    public IList<SegmentDiscountUsageModel> DiscountUsages { get; set; } = [];

    /// <summary>
    /// Segments whose rules name this segment (it cannot be deleted while there are any)
    /// </summary>
    public IList<SegmentReferenceModel> ReferencingSegments { get; set; } = [];

    /// <summary>
    /// The templates a new segment can start from (the create page only)
    /// </summary>
    public IList<SegmentTemplateModel> Templates { get; set; } = [];

    public SegmentMemberSearchModel MemberSearchModel { get; set; } = new();

    public bool HideStoresList { get; set; }

    /// <summary>
    /// The shopper message in the other languages
    /// </summary>
    public IList<SegmentLocalizedModel> Locales { get; set; } = [];
}

/// <summary>
/// The localized properties of a segment in one language
/// </summary>
public record SegmentLocalizedModel : ILocalizedLocaleModel
{
    public int LanguageId { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Fields.ShopperMessage")]
    public string ShopperMessage { get; set; }
}
