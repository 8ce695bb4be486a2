using System.Globalization;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Services.Localization;
using Nop.Services.Logging;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

public class LocaleResourceFormatterTests
{
    private const string RebuildDone = "Plugins.Misc.CustomerSegments.Segments.Rebuild.Done";

    private Dictionary<string, string> _texts;
    private Mock<ILocalizationService> _localization;
    private Mock<ILogger> _logger;
    private LocaleResourceFormatter _formatter;

    [SetUp]
    public void SetUp()
    {
        _texts = [];
        _localization = new Mock<ILocalizationService>();
        _localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => _texts.GetValueOrDefault(key));
        _logger = new Mock<ILogger>();
        _formatter = new LocaleResourceFormatter(_localization.Object, _logger.Object);
    }

    /// <summary>
    /// A key of its own for each test: the formatter remembers the texts it warned about for the process
    /// </summary>
    private static string UnknownKey() => $"Plugins.Misc.CustomerSegments.Test.{Guid.NewGuid():N}";

    private void NoWarning() =>
        _logger.Verify(logger => logger.WarningAsync(It.IsAny<string>(), It.IsAny<Exception>(), null), Times.Never);

    [TestCase("{0} in, {1} out")]
    [TestCase("{1:N2} / {0,6} / {{literal}}")]
    [TestCase("no placeholder")]
    [TestCase("")]
    public async Task AGoodTextFormatsExactlyAsStringFormatInTheCurrentCulture(string text)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            _texts[RebuildDone] = text;

            Assert.That(await _formatter.FormatAsync(RebuildDone, 77, 1234.5m), Is.EqualTo(string.Format(text, 77, 1234.5m)));
            Assert.That(await _formatter.FormatAsync(RebuildDone, CultureInfo.InvariantCulture, 77, 1234.5m),
                Is.EqualTo(string.Format(CultureInfo.InvariantCulture, text, 77, 1234.5m)));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }

        NoWarning();
    }

    [TestCase("{0} rein, {2} raus")]
    [TestCase("{3} {")]
    [TestCase("{0} }")]
    [TestCase("{0:Q} in")]
    [TestCase(null)]
    public async Task ATextThatDoesNotFormatGivesThePluginsDefaultText(string text)
    {
        _texts[RebuildDone] = text;

        Assert.That(await _formatter.FormatAsync(RebuildDone, 77, 3),
            Is.EqualTo("The segment's members are up to date: 77 customers entered, 3 left."));
    }

    [Test]
    public async Task ATextThatDoesNotFormatWithoutADefaultTextIsFollowedByTheArguments()
    {
        var key = UnknownKey();
        _texts[key] = "Segmente {1}: {";

        Assert.That(await _formatter.FormatAsync(key, "VIP", 12.5m), Is.EqualTo("Segmente {1}: { (VIP, 12.5)"));
        Assert.That(await _formatter.FormatAsync(key, CultureInfo.GetCultureInfo("de-DE"), "VIP", 12.5m), Is.EqualTo("Segmente {1}: { (VIP, 12,5)"));
    }

    [Test]
    public async Task NoTextAndNoDefaultTextGivesTheKeyFollowedByTheArguments()
    {
        var key = UnknownKey();

        Assert.That(await _formatter.FormatAsync(key, 5, null), Is.EqualTo($"{key} (5, )"));
    }

    [Test]
    public async Task NoArgumentsAtAllAreNoArguments()
    {
        var key = UnknownKey();
        _texts[key] = "{0}";

        Assert.That(await _formatter.FormatAsync(key, (object[])null), Is.EqualTo("{0}"));
    }

    [Test]
    public async Task ATextThatDoesNotFormatIsLoggedOnceNamingTheKeyAndTheText()
    {
        var key = UnknownKey();
        _texts[key] = "{2} {";

        await _formatter.FormatAsync(key, 1);
        await _formatter.FormatAsync(key, 2);
        //another scope's formatter, as in the next request
        await new LocaleResourceFormatter(_localization.Object, _logger.Object).FormatAsync(key, 3);

        _logger.Verify(logger => logger.WarningAsync(It.Is<string>(message => message.Contains(key) && message.Contains("\"{2} {\"")), null, null), Times.Once);

        //corrected and broken again another way (or in another language): told again
        _texts[key] = "{1}";
        await _formatter.FormatAsync(key, 4);

        _logger.Verify(logger => logger.WarningAsync(It.Is<string>(message => message.Contains(key)), null, null), Times.Exactly(2));
    }
}
