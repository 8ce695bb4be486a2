using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Nop.Plugin.Misc.CustomerSegments.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// What ASP.NET Core's model binding makes of a posted <see cref="SegmentRequirementModel"/> form (the SDK's
/// display-name attribute cannot be built outside nopCommerce, so MVC's own binder cannot run here): keys match
/// ignoring case; a simple property takes the first value through its type converter; a list takes every value that
/// converts; an empty or unconvertible value leaves the property (or list element) unset and adds a model state error;
/// the model state keeps each posted field's values (one: the value, several: all of them), as MVC's binders set them
/// </summary>
public static class PostedFormBinder
{
    public static SegmentRequirementModel Bind(IReadOnlyList<KeyValuePair<string, string>> form, ModelStateDictionary modelState)
    {
        var model = new SegmentRequirementModel();

        if (TryBind<int>(form, nameof(model.DiscountId), modelState, out var discountId))
            model.DiscountId = discountId;
        if (TryBind<int>(form, nameof(model.RequirementId), modelState, out var requirementId))
            model.RequirementId = requirementId;
        if (TryBind<bool>(form, nameof(model.RequireAll), modelState, out var requireAll))
            model.RequireAll = requireAll;
        if (Values(form, nameof(model.IncludeSegmentIds)) is { Count: > 0 } include)
            model.IncludeSegmentIds = BindList<int>(include, nameof(model.IncludeSegmentIds), modelState);
        if (Values(form, nameof(model.ExcludeSegmentIds)) is { Count: > 0 } exclude)
            model.ExcludeSegmentIds = BindList<int>(exclude, nameof(model.ExcludeSegmentIds), modelState);

        //then MVC validates the model: a field bound without an error is valid
        foreach (var key in modelState.Keys.ToList())
        {
            if (modelState[key]!.Errors.Count == 0)
                modelState.MarkFieldValid(key);
        }

        return model;
    }

    private static List<string> Values(IReadOnlyList<KeyValuePair<string, string>> form, string key) =>
        form.Where(pair => string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase)).Select(pair => pair.Value).ToList();

    private static void Posted(List<string> values, string key, ModelStateDictionary modelState)
    {
        if (values.Count > 0)
            modelState.SetModelValue(key, values.Count == 1 ? values[0] : values.ToArray(), string.Join(",", values));
    }

    /// <summary>
    /// The posted values each field could not take, by field: a simple property's first value, every value of a list
    /// </summary>
    public static Dictionary<string, List<string>> Unconvertible(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var unconvertible = new Dictionary<string, List<string>>();
        var scratch = new ModelStateDictionary();
        foreach (var (key, type, isList) in new[]
        {
            (nameof(SegmentRequirementModel.DiscountId), typeof(int), false), (nameof(SegmentRequirementModel.RequirementId), typeof(int), false),
            (nameof(SegmentRequirementModel.IncludeSegmentIds), typeof(int), true), (nameof(SegmentRequirementModel.RequireAll), typeof(bool), false),
            (nameof(SegmentRequirementModel.ExcludeSegmentIds), typeof(int), true)
        })
        {
            var values = Values(form, key);
            var wrong = (isList ? values : values.Take(1))
                .Where(value => type == typeof(int) ? !TryConvert<int>(value, key, scratch, out _) : !TryConvert<bool>(value, key, scratch, out _))
                .ToList();
            if (wrong.Count > 0)
                unconvertible[key] = wrong;
        }

        return unconvertible;
    }

    private static bool TryConvert<T>(string value, string key, ModelStateDictionary modelState, out T result)
    {
        result = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            modelState.TryAddModelError(key, $"The value '{value}' is invalid.");
            return false;
        }

        try
        {
            result = (T)TypeDescriptor.GetConverter(typeof(T)).ConvertFrom(null, CultureInfo.InvariantCulture, value)!;
            return true;
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or ArgumentException or NotSupportedException
            || exception.InnerException is FormatException or OverflowException)
        {
            modelState.TryAddModelError(key, $"The value '{value}' is not valid for {key}.");
            return false;
        }
    }

    private static bool TryBind<T>(IReadOnlyList<KeyValuePair<string, string>> form, string key, ModelStateDictionary modelState, out T result)
    {
        result = default;
        var values = Values(form, key);
        Posted(values, key, modelState);

        return values.Count > 0 && TryConvert(values[0], key, modelState, out result);
    }

    private static List<T> BindList<T>(List<string> values, string key, ModelStateDictionary modelState)
    {
        Posted(values, key, modelState);
        var list = new List<T>();
        foreach (var value in values)
        {
            if (TryConvert<T>(value, key, modelState, out var element))
                list.Add(element);
        }

        return list;
    }
}
