using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// Prepares the models of the plugin's admin pages
/// </summary>
public interface ISegmentModelFactory
{
    Task<SegmentSearchModel> PrepareSegmentSearchModelAsync(SegmentSearchModel searchModel);

    /// <summary>
    /// Prepares a page of the segment list; a dynamic segment of the page whose stored rule no longer validates (see
    /// <see cref="ISegmentRuleValidator.ValidateStoredAsync"/>) is flagged with the first error
    /// </summary>
    /// <param name="searchModel">The filters and the page</param>
    Task<SegmentListModel> PrepareSegmentListModelAsync(SegmentSearchModel searchModel);

    /// <summary>
    /// Prepares the create/edit/segment page model
    /// </summary>
    /// <param name="model">The posted model to refill, or null</param>
    /// <param name="segment">The segment, or null for a new one</param>
    /// <param name="excludeProperties">Whether to keep the posted values instead of the segment's</param>
    /// <param name="ruleErrors">Errors of the posted rule to show next to the conditions</param>
    Task<SegmentModel> PrepareSegmentModelAsync(SegmentModel model, Segment segment, bool excludeProperties = false,
        IReadOnlyList<RuleValidationError> ruleErrors = null);

    /// <summary>
    /// A new segment's model filled from a template (see <see cref="Services.Rules.ISegmentTemplateCatalog"/>): its
    /// name, description and rule in the admin's language; an empty new segment's when there is no such template
    /// </summary>
    Task<SegmentModel> PrepareTemplateSegmentModelAsync(string templateName);

    Task<SegmentMemberListModel> PrepareSegmentMemberListModelAsync(SegmentMemberSearchModel searchModel, Segment segment);

    /// <summary>
    /// The field catalog as the rule builder reads it: categories of fields with localized names
    /// </summary>
    Task<string> PrepareRuleCatalogJsonAsync();

    Task<ConfigurationModel> PrepareConfigurationModelAsync(ConfigurationModel model, CustomerSegmentsSettings settings);

    Task<CustomerSegmentsCardModel> PrepareCustomerSegmentsCardModelAsync(int customerId);
}
