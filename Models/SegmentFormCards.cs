using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// Which card of the segment form shows errors. The cards open as the admin left them, but a card holding an error
/// opens all the same, so that the message next to its field is seen after a failed save
/// </summary>
public static class SegmentFormCards
{
    /// <summary>
    /// The posted rule's errors (under RuleJson) or, as the page opens, the stored rule's that no longer validates
    /// </summary>
    public static bool RuleHasErrors(SegmentModel model, ModelStateDictionary modelState) =>
        model.RuleErrors.Count > 0 || modelState.TryGetValue(nameof(SegmentModel.RuleJson), out var rule) && rule.Errors.Count > 0;

    /// <summary>
    /// Errors of the segment's other fields: all of them are in the info card (the model's own errors, under the empty
    /// key, are in the summary above the cards)
    /// </summary>
    public static bool InfoHasErrors(ModelStateDictionary modelState) =>
        modelState.Any(entry => entry.Value.Errors.Count > 0 && entry.Key.Length > 0 && entry.Key != nameof(SegmentModel.RuleJson));
}
