namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// One reason a rule can't be saved or run
/// </summary>
/// <param name="Path">Where in the tree: child indexes from the root joined by '.', "" for the root group</param>
/// <param name="ResourceKey">Locale resource of the message</param>
/// <param name="Message">The message, localized, with the condition named</param>
public record RuleValidationError(string Path, string ResourceKey, string Message);
