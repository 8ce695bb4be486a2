using Microsoft.AspNetCore.Mvc.ModelBinding;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// A value the settings or segment form posted that MVC could not bind gets a localized error naming the field by its
/// label (read without creating nopCommerce's attribute: the SDK's throws, as the stand-ins do)
/// </summary>
public class FormValueErrorFactoryTests
{
    private static FormValueErrorFactory EnglishFactory()
    {
        var english = new Mock<ILocalizationService>();
        english.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => LocaleResources.EnglishResources[key]);

        return new FormValueErrorFactory(english.Object, LocaleResourceFormatters.Over(english.Object));
    }

    [Test]
    public async Task ANumberTooLargeOrNotANumberIsNamedWithTheFieldsLabel()
    {
        var modelState = new ModelStateDictionary();
        UnboundValues.Add(modelState, "RebuildIntervalMinutes", "99999999999");
        UnboundValues.Add(modelState, "PurchasePaymentStatusIds", "30", "paid", "1e3");

        var errors = (await EnglishFactory().PrepareInvalidValueErrorsAsync(modelState, typeof(ConfigurationModel))).ToDictionary(e => e.Key, e => e.Error);

        Assert.That(errors, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["RebuildIntervalMinutes"] = "Rebuild interval (minutes): \"99999999999\" is not a valid value.",
            ["PurchasePaymentStatusIds"] = "Purchases are orders with payment status: \"paid\", \"1e3\" is not a valid value."
        }));
    }

    [Test]
    public async Task OnlyValuesThatDoNotConvertToTheirFieldsTypeAreReported()
    {
        var modelState = new ModelStateDictionary();
        //a blank number is nopCommerce's "required" error, a text field binds whatever is posted, an unknown field is not the form's
        UnboundValues.Add(modelState, "StoreId", " ");
        UnboundValues.Add(modelState, "Name", "VIP");
        UnboundValues.Add(modelState, "Locales[0].LanguageId", "x");
        //a value that converts: the error is someone else's
        UnboundValues.Add(modelState, "SegmentTypeId", "10");
        UnboundValues.Add(modelState, "Active", "maybe");

        var errors = await EnglishFactory().PrepareInvalidValueErrorsAsync(modelState, typeof(SegmentModel));

        Assert.That(errors, Is.EqualTo(new[] { ("Active", "Active: \"maybe\" is not a valid value.") }));
    }

    [Test]
    public async Task AtMostFiveWrongValuesAreShown()
    {
        var modelState = new ModelStateDictionary();
        UnboundValues.Add(modelState, "ExcludedOrderStatusIds", Enumerable.Range(0, 8).Select(i => $"x{i}").Append("x0").ToArray());

        var errors = await EnglishFactory().PrepareInvalidValueErrorsAsync(modelState, typeof(ConfigurationModel));

        Assert.That(errors.Single().Error, Does.EndWith(": \"x0\", \"x1\", \"x2\", \"x3\", \"x4\", … is not a valid value."));
    }
}
