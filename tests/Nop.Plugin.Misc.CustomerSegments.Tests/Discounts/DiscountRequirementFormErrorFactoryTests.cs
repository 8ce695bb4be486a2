using Microsoft.AspNetCore.Mvc.ModelBinding;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

public class DiscountRequirementFormErrorFactoryTests
{
    private static DiscountRequirementFormErrorFactory EnglishFactory(IReadOnlyDictionary<string, string> translated = null)
    {
        var english = new Mock<ILocalizationService>();
        english.Setup(l => l.GetResourceAsync(It.IsAny<string>()))
            .ReturnsAsync((string key) => translated?.GetValueOrDefault(key) ?? LocaleResources.EnglishResources[key]);

        return new DiscountRequirementFormErrorFactory(english.Object, LocaleResourceFormatters.Over(english.Object));
    }

    [Test]
    public async Task AKeyWithAPrefixOrAnIndexIsAboutItsFieldAndTheListsEntriesMakeOneError()
    {
        var modelState = new ModelStateDictionary();
        UnboundValues.Add(modelState, "model.ExcludeSegmentIds[0]", "x");
        UnboundValues.Add(modelState, "ExcludeSegmentIds[1]", "y");
        UnboundValues.Add(modelState, "CustomerSegmentsRequirement9.requireall", "maybe");

        var errors = await EnglishFactory().PrepareInvalidValueErrorsAsync(modelState);

        //the model state lists its entries in an order of its own
        Assert.That(errors, Has.Count.EqualTo(2));
        Assert.That(errors[0], Is.EqualTo("Must be in all of them: \"maybe\" is neither yes nor no. Reload the page and save again."));
        Assert.That(errors[1], Is.AnyOf(
            "But not in segment(s): these values are not segments: \"x\", \"y\". Reload the page and choose the segments again.",
            "But not in segment(s): these values are not segments: \"y\", \"x\". Reload the page and choose the segments again."));
    }

    [Test]
    public async Task AValueOfTheLongestShownLengthIsShownWholeAndALongerOneCut()
    {
        var modelState = new ModelStateDictionary();
        var longest = new string('x', PostedValues.MaxShownLength);
        UnboundValues.Add(modelState, "DiscountId", longest);
        UnboundValues.Add(modelState, "RequirementId", longest + "y");

        var errors = await EnglishFactory().PrepareInvalidValueErrorsAsync(modelState);

        Assert.That(errors, Is.EqualTo(new[]
        {
            $"The discount's id: \"{longest}\" is not a number. Reload the page and save again.",
            $"The requirement's id: \"{longest}…\" is not a number. Reload the page and save again."
        }));
    }

    [Test]
    public async Task AnErrorWhoseTranslationDoesNotFormatIsShownInTheDefaultText()
    {
        var modelState = new ModelStateDictionary();
        UnboundValues.Add(modelState, "DiscountId", "abc");
        //an entry without a posted value
        modelState.AddModelError("RequirementId", "The value is not valid.");

        //translations with a placeholder the error has no argument for, and with a brace out of place
        var errors = await EnglishFactory(new Dictionary<string, string>
        {
            ["Plugins.Misc.CustomerSegments.DiscountRequirement.NotANumber"] = "{3} {",
            ["Plugins.Misc.CustomerSegments.DiscountRequirement.InvalidValue"] = "{0}: {"
        }).PrepareInvalidValueErrorsAsync(modelState);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "The discount's id: \"abc\" is not a number. Reload the page and save again.",
            "The requirement's id: the value sent is not valid. Reload the page and save again."
        }));
    }
}
