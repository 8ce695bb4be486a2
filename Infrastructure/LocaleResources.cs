namespace Nop.Plugin.Misc.CustomerSegments.Infrastructure;

/// <summary>
/// The plugin's text, installed as nopCommerce locale resources
/// </summary>
public static class LocaleResources
{
    private static string P(string name) => $"{CustomerSegmentsDefaults.LocaleResourcePrefix}.{name}";

    /// <summary>
    /// English resources, by resource name
    /// </summary>
    public static IReadOnlyDictionary<string, string> EnglishResources { get; } = new Dictionary<string, string>
    {
        [P("Menu.Title")] = "Customer segments",
        [P("Permission.Manage")] = "Admin area. Manage customer segments",
    };

    /// <summary>
    /// The same, in the shape nopCommerce's localization service takes
    /// </summary>
    public static IDictionary<string, string> English => new Dictionary<string, string>(EnglishResources);
}
