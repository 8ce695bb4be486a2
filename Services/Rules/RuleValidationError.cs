namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// One reason a rule can't be saved or run
/// </summary>
/// <param name="Path">Where in the tree: child indexes from the root joined by '.', "" for the root group</param>
/// <param name="ResourceKey">Locale resource of the message</param>
/// <param name="Message">The message, localized, with the condition named</param>
/// <param name="Args">The message's details after the subject, to make it again in another language</param>
public record RuleValidationError(string Path, string ResourceKey, string Message, IReadOnlyList<object> Args = null);
