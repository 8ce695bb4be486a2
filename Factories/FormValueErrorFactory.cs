using System.Reflection;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Services.Localization;
using Nop.Web.Framework.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// Localized errors for posted values MVC could not bind: MVC's own ("The value 'x' is not valid for ...") are in English
/// </summary>
public class FormValueErrorFactory : IFormValueErrorFactory
{
    /// <summary>
    /// How many of a field's wrong values an error shows
    /// </summary>
    public const int MaxShownValues = 5;

    protected readonly ILocalizationService _localizationService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;

    public FormValueErrorFactory(ILocalizationService localizationService, ILocaleResourceFormatter localeResourceFormatter)
    {
        _localizationService = localizationService;
        _localeResourceFormatter = localeResourceFormatter;
    }

    /// <summary>
    /// The type one posted value of the property binds to: the element of a list, the underlying type of a nullable
    /// </summary>
    protected static Type ValueType(Type propertyType)
    {
        var type = propertyType != typeof(string) && propertyType.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(propertyType)
            ? propertyType.GetGenericArguments()[0]
            : propertyType;

        return Nullable.GetUnderlyingType(type) ?? type;
    }

    /// <summary>
    /// The resource of the property's label; read from the attribute's data, without creating the attribute
    /// </summary>
    protected static string LabelResource(PropertyInfo property) =>
        property.GetCustomAttributesData()
            .FirstOrDefault(attribute => attribute.AttributeType == typeof(NopResourceDisplayNameAttribute))?
            .ConstructorArguments.FirstOrDefault().Value as string;

    public virtual async Task<IList<(string Key, string Error)>> PrepareInvalidValueErrorsAsync(ModelStateDictionary modelState, Type modelType)
    {
        ArgumentNullException.ThrowIfNull(modelState);
        ArgumentNullException.ThrowIfNull(modelType);

        var errors = new List<(string, string)>();
        foreach (var (key, entry) in modelState.Where(pair => pair.Value.ValidationState == ModelValidationState.Invalid))
        {
            var property = modelType.GetProperty(PostedValues.FieldName(key), BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property == null || property.PropertyType == typeof(string))
                continue;

            //a blank value is nopCommerce's "required" error
            var type = ValueType(property.PropertyType);
            var wrong = PostedValues.Of(entry)
                .Where(value => !string.IsNullOrWhiteSpace(value) && !PostedValues.Converts(value, type))
                .Distinct()
                .ToList();
            if (wrong.Count == 0)
                continue;

            var label = LabelResource(property) is { } resource ? await _localizationService.GetResourceAsync(resource) : property.Name;
            var shown = string.Join(", ", wrong.Take(MaxShownValues).Select(PostedValues.Show)) + (wrong.Count > MaxShownValues ? ", …" : string.Empty);
            errors.Add((key, await _localeResourceFormatter.FormatAsync($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.Fields.Value.Invalid", label, shown)));
        }

        return errors;
    }
}
