using System.ComponentModel;
using System.Globalization;
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
    /// How many characters of a posted value an error shows
    /// </summary>
    public const int MaxShownValueLength = 50;

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

    /// <summary>
    /// The field a model state key is about: "IncludeSegmentIds", "model.IncludeSegmentIds", "IncludeSegmentIds[2]"
    /// </summary>
    protected static string FieldName(string key)
    {
        var name = key[(key.LastIndexOf('.') + 1)..];
        var index = name.IndexOf('[');

        return index < 0 ? name : name[..index];
    }

    /// <summary>
    /// Whether MVC binds the posted value to the type: as its SimpleTypeModelBinder does, through the type's converter
    /// in the culture form values are read in, and never from blank text
    /// </summary>
    protected static bool Converts(string value, Type type)
    {
        if (string.IsNullOrWhiteSpace(value))
            return false;

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFrom(null, CultureInfo.CurrentCulture, value) is not null;
        }
        catch (Exception)
        {
            //MVC's binder, too, takes any exception of the converter for a value it cannot bind
            return false;
        }
    }

    /// <summary>
    /// The value quoted, cut short (never between the two halves of a character), control characters shown by their code
    /// </summary>
    protected static string ShowValue(string value)
    {
        if (value.Length > MaxShownValueLength)
        {
            var length = char.IsHighSurrogate(value[MaxShownValueLength - 1]) ? MaxShownValueLength - 1 : MaxShownValueLength;
            value = value[..length] + "…";
        }

        return $"\"{string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()))}\"";
    }

    public virtual async Task<IList<string>> PrepareInvalidValueErrorsAsync(ModelStateDictionary modelState)
    {
        var invalidByField = modelState
            .Where(entry => entry.Value.ValidationState == ModelValidationState.Invalid)
            .ToLookup(entry => FieldName(entry.Key), StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var field in PostedFields)
        {
            var entries = invalidByField[field.Name];
            if (!entries.Any())
                continue;

            var posted = entries.SelectMany(entry => entry.Value.RawValue switch
            {
                string value => [value],
                string[] values => values,
                _ => Array.Empty<string>()
            }).ToList();
            var wrong = (field.IsList ? posted : posted.Take(1))
                .Where(value => value is not null && !Converts(value, field.Type))
                .Distinct()
                .ToList();
            var subject = await TextAsync(field.Name);
            if (wrong.Count == 0)
            {
                errors.Add(await FormatTextAsync("InvalidValue", subject));
                continue;
            }

            var shown = string.Join(", ", wrong.Take(SegmentRequirementValidator.MaxListedIds).Select(ShowValue));
            if (wrong.Count > SegmentRequirementValidator.MaxListedIds)
                shown += ", …";
            errors.Add(await FormatTextAsync(field.Error, subject, shown));
        }

        if (errors.Count == 0 || invalidByField.Any(entries => !PostedFields.Any(field => string.Equals(entries.Key, field.Name, StringComparison.OrdinalIgnoreCase))))
            errors.Add(await TextAsync("InvalidValues"));

        return errors;
    }
}
