using Microsoft.AspNetCore.Mvc.ModelBinding;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// Turns the model state of a discount requirement form MVC could not bind into localized errors
/// </summary>
public class DiscountRequirementFormErrorFactory : IDiscountRequirementFormErrorFactory
{
    /// <summary>
    /// The form's fields (each named in an error by the resource of its name), the resource of the error when a posted
    /// value does not convert to the field's type, whether the field takes a list
    /// </summary>
    protected static readonly IReadOnlyList<(string Name, string Error, Type Type, bool IsList)> PostedFields =
    [
        (nameof(SegmentRequirementModel.DiscountId), "NotANumber", typeof(int), false),
        (nameof(SegmentRequirementModel.RequirementId), "NotANumber", typeof(int), false),
        (nameof(SegmentRequirementModel.IncludeSegmentIds), "NotSegments", typeof(int), true),
        (nameof(SegmentRequirementModel.RequireAll), "NotABoolean", typeof(bool), false),
        (nameof(SegmentRequirementModel.ExcludeSegmentIds), "NotSegments", typeof(int), true)
    ];

    protected readonly ILocalizationService _localizationService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;

    public DiscountRequirementFormErrorFactory(ILocalizationService localizationService, ILocaleResourceFormatter localeResourceFormatter)
    {
        _localizationService = localizationService;
        _localeResourceFormatter = localeResourceFormatter;
    }

    protected virtual Task<string> TextAsync(string name) => _localizationService.GetResourceAsync(CustomerSegmentsDefaults.DiscountRequirementResource(name));

    protected virtual Task<string> FormatTextAsync(string name, params object[] args) => _localeResourceFormatter.FormatAsync(CustomerSegmentsDefaults.DiscountRequirementResource(name), args);

    public virtual async Task<IList<string>> PrepareInvalidValueErrorsAsync(ModelStateDictionary modelState)
    {
        var invalidByField = modelState
            .Where(entry => entry.Value.ValidationState == ModelValidationState.Invalid)
            .ToLookup(entry => PostedValues.FieldName(entry.Key), StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var field in PostedFields)
        {
            var entries = invalidByField[field.Name];
            if (!entries.Any())
                continue;

            var posted = entries.SelectMany(entry => PostedValues.Of(entry.Value)).ToList();
            var wrong = (field.IsList ? posted : posted.Take(1))
                .Where(value => value is not null && !PostedValues.Converts(value, field.Type))
                .Distinct()
                .ToList();
            var subject = await TextAsync(field.Name);
            if (wrong.Count == 0)
            {
                errors.Add(await FormatTextAsync("InvalidValue", subject));
                continue;
            }

            var shown = string.Join(", ", wrong.Take(SegmentRequirementValidator.MaxListedIds).Select(PostedValues.Show));
            if (wrong.Count > SegmentRequirementValidator.MaxListedIds)
                shown += ", …";
            errors.Add(await FormatTextAsync(field.Error, subject, shown));
        }

        if (errors.Count == 0 || invalidByField.Any(entries => !PostedFields.Any(field => string.Equals(entries.Key, field.Name, StringComparison.OrdinalIgnoreCase))))
            errors.Add(await TextAsync("InvalidValues"));

        return errors;
    }
}
