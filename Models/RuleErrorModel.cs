namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// One validation error of a rule: where it is (child indexes from the root joined by '.') and what it says
/// </summary>
public record RuleErrorModel(string Path, string Message);
