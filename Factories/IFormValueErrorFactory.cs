using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// Prepares localized errors for the values of an admin form MVC could not bind to their fields
/// </summary>
public interface IFormValueErrorFactory
{
    /// <summary>
    /// For each field of the model whose posted values do not convert to its type (a number too large or not a number,
    /// for instance): its model state key and an error naming the field, by its label, and the values
    /// </summary>
    /// <param name="modelState">The model state after binding</param>
    /// <param name="modelType">The form's model</param>
    Task<IList<(string Key, string Error)>> PrepareInvalidValueErrorsAsync(ModelStateDictionary modelState, Type modelType);
}
