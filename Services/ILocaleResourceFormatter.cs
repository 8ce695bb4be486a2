namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Formats the plugin's locale resources that take arguments, whatever text an admin gave them
/// </summary>
public interface ILocaleResourceFormatter
{
    /// <summary>
    /// The resource's text in the current language formatted with the arguments, as string.Format formats it (in the
    /// current culture); a text that does not format (a placeholder without argument, a brace out of place) gives the
    /// plugin's default text, or the text followed by the arguments, and a warning in the log
    /// </summary>
    Task<string> FormatAsync(string resourceKey, params object[] args);

    /// <summary>
    /// The resource's text in the current language formatted with the arguments in the culture given, as
    /// string.Format formats it; a text that does not format gives the plugin's default text, or the text followed by
    /// the arguments, and a warning in the log
    /// </summary>
    Task<string> FormatAsync(string resourceKey, IFormatProvider provider, params object[] args);
}
