namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Text typed into a search box, as the database compares it
/// </summary>
public static class SearchText
{
    /// <summary>
    /// The text trimmed and without NUL characters (PostgreSQL refuses them in text, and no text the plugin searches
    /// holds one); null when nothing is left to search for
    /// </summary>
    public static string Normalize(string text)
    {
        var term = text?.Replace("\0", string.Empty).Trim();
        return string.IsNullOrEmpty(term) ? null : term;
    }
}
