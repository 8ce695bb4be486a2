using Moq;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Services.Localization;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

public static class LocaleResourceFormatters
{
    /// <summary>
    /// The plugin's formatter over the texts a test's localization service gives, its warnings to a logger no test reads
    /// </summary>
    public static LocaleResourceFormatter Over(ILocalizationService localizationService) =>
        new(localizationService, Mock.Of<ILogger>());
}
