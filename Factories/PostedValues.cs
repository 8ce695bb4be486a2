using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// The values a form posted, as MVC binds them and as an error shows them
/// </summary>
public static class PostedValues
{
    /// <summary>
    /// How many characters of a posted value an error shows
    /// </summary>
    public const int MaxShownLength = 50;

    /// <summary>
    /// The field a model state key is about: "IncludeSegmentIds", "model.IncludeSegmentIds", "IncludeSegmentIds[2]"
    /// </summary>
    public static string FieldName(string key)
    {
        var name = key[(key.LastIndexOf('.') + 1)..];
        var index = name.IndexOf('[');

        return index < 0 ? name : name[..index];
    }

    /// <summary>
    /// The values posted for a model state entry
    /// </summary>
    public static IReadOnlyList<string> Of(ModelStateEntry entry) => entry?.RawValue switch
    {
        string value => [value],
        string[] values => values,
        _ => []
    };

    /// <summary>
    /// Whether MVC binds the posted value to the type: as its SimpleTypeModelBinder does, through the type's converter
    /// in the culture form values are read in, and never from blank text
    /// </summary>
    public static bool Converts(string value, Type type)
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
    public static string Show(string value)
    {
        if (value.Length > MaxShownLength)
        {
            var length = char.IsHighSurrogate(value[MaxShownLength - 1]) ? MaxShownLength - 1 : MaxShownLength;
            value = value[..length] + "…";
        }

        return $"\"{string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()))}\"";
    }
}
