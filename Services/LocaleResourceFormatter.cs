using System.Collections.Concurrent;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Services.Localization;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Formats the plugin's locale resources that take arguments. Admins edit the resources and import translations: a
/// text string.Format refuses is shown in the plugin's default (English) text instead of failing the page, and named
/// once in the log, to be corrected in Configuration > Languages
/// </summary>
public class LocaleResourceFormatter : ILocaleResourceFormatter
{
    /// <summary>
    /// How many texts that did not format are remembered as logged; beyond, no more are logged until a restart
    /// </summary>
    public const int MaxWarnedTexts = 1000;

    //for the process: the formatter lives in a request's scope, the warning once per text
    private static readonly ConcurrentDictionary<(string Key, string Text), bool> _warnedTexts = new();

    protected readonly ILocalizationService _localizationService;
    protected readonly ILogger _logger;

    public LocaleResourceFormatter(ILocalizationService localizationService, ILogger logger)
    {
        _localizationService = localizationService;
        _logger = logger;
    }

    protected static bool TryFormat(IFormatProvider provider, string text, object[] args, out string formatted)
    {
        formatted = null;
        if (text is null)
            return false;

        try
        {
            formatted = string.Format(provider, text, args);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The text as it is, followed by the arguments in brackets
    /// </summary>
    protected static string WithArguments(IFormatProvider provider, string text, object[] args) =>
        args.Length == 0 ? text : $"{text} ({string.Join(", ", args.Select(arg => Convert.ToString(arg, provider)))})";

    protected virtual async Task WarnOnceAsync(string resourceKey, string text, int argumentCount, bool defaultTextShown)
    {
        if (_warnedTexts.Count >= MaxWarnedTexts || !_warnedTexts.TryAdd((resourceKey, text ?? string.Empty), true))
            return;

        var problem = text is null
            ? $"the locale resource {resourceKey} has no text"
            : $"the text of the locale resource {resourceKey}, \"{text}\", does not format with its {argumentCount} argument(s) (a placeholder without argument, or a brace out of place)";
        var shown = defaultTextShown ? "the plugin's default text is shown instead" : "it is shown followed by its arguments";
        await _logger.WarningAsync($"Customer segments: {problem}; {shown}. Correct it in Configuration > Languages > String resources.");
    }

    public virtual Task<string> FormatAsync(string resourceKey, params object[] args) =>
        FormatAsync(resourceKey, (IFormatProvider)null, args);

    public virtual async Task<string> FormatAsync(string resourceKey, IFormatProvider provider, params object[] args)
    {
        args ??= [];
        var text = await _localizationService.GetResourceAsync(resourceKey);
        if (TryFormat(provider, text, args, out var formatted))
            return formatted;

        var defaultTextShown = LocaleResources.EnglishResources.TryGetValue(resourceKey, out var defaultText)
            && TryFormat(provider, defaultText, args, out formatted);
        await WarnOnceAsync(resourceKey, text, args.Length, defaultTextShown);

        return defaultTextShown ? formatted : WithArguments(provider, text ?? resourceKey, args);
    }
}
