using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

/// <summary>
/// What MVC leaves in the model state after binding a posted field it could not convert: the posted values and its
/// English error
/// </summary>
public static class UnboundValues
{
    public static void Add(ModelStateDictionary modelState, string key, params string[] posted)
    {
        modelState.SetModelValue(key, posted.Length == 1 ? posted[0] : posted, string.Join(",", posted));
        modelState.AddModelError(key, $"The value is not valid for {key}.");
    }
}
