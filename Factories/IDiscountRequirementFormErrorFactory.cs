using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// Prepares the localized errors of a discount requirement form MVC could not bind
/// </summary>
public interface IDiscountRequirementFormErrorFactory
{
    /// <summary>
    /// An error for each field MVC could not bind, naming it and the posted values it could not convert; the general
    /// error for anything else in the model state
    /// </summary>
    Task<IList<string>> PrepareInvalidValueErrorsAsync(ModelStateDictionary modelState);
}
