using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Views;

/// <summary>
/// The segment form's markup that Content/js/segment-page.js relies on (its behaviour is tested in the browser by
/// tests/js/segment-page.test.mjs on a fixture with the same marks)
/// </summary>
public class SegmentFormViewTests
{
    private static string View(string name) => File.ReadAllText(Path.Combine(PluginDirectory.Root, "Views", "Admin", name));

    /// <summary>
    /// The submit buttons of the segment form that post it to another action: (the action, the button's markup)
    /// </summary>
    private static List<(string Action, string Button)> OtherActionButtons() =>
        new[] { "Edit.cshtml", "_CreateOrUpdate.Members.cshtml" }
            .SelectMany(view => Regex.Matches(View(view), @"<button type=""submit""[^>]*formaction=""@Url\.Action\(""(\w+)""[^>]*>"))
            .Select(match => (match.Groups[1].Value, match.Value))
            .ToList();

    [Test]
    public void ButtonsThatReloadThePageWithoutSavingAskFirst()
    {
        var buttons = OtherActionButtons();

        Assert.That(buttons.Select(button => button.Action),
            Is.EquivalentTo(new[] { "Rebuild", "ExportMembers", "AddMembers", "ImportMembers" }), "the buttons are found");
        //the export answers with a file: the page stays as it is, with its changes
        Assert.That(buttons.Where(button => button.Action != "ExportMembers" && !button.Button.Contains(" data-unsaved-guard ")).Select(button => button.Button),
            Is.Empty, "they drop the changes to the segment's fields: they ask first");
        Assert.That(buttons.Single(button => button.Action == "ExportMembers").Button,
            Does.Not.Contain("data-unsaved-guard").And.Contain(" data-keeps-page "), "the export leaves nothing behind");
    }

    [Test]
    public void TheCustomersToAddNameTheOnlyButtonThatPostsThem()
    {
        var members = View("_CreateOrUpdate.Members.cshtml");

        foreach (var (name, button) in new[] { ("emails", "segment-add-members"), ("importFile", "segment-import-members") })
        {
            var input = Regex.Match(members, $@"<(?:textarea|input)[^>]* name=""{name}""[^>]*>").Value;
            Assert.That(input, Does.Contain($@" data-posted-by=""#{button}"""), "Save and the other buttons leave it out: they ask first");
            Assert.That(members, Does.Contain($@"<button type=""submit"" id=""{button}"""));
        }
    }

    [Test]
    public void TheEditFormNamesTheCardsOfTheSegmentsFieldsAndTheQuestion()
    {
        //the form's start tag, up to its first child (an attribute value holds a '>')
        var form = Regex.Match(View("Edit.cshtml"), @"<form asp-controller=""CustomerSegmentsAdmin"" asp-action=""Edit"".*?(?=\s*<div)", RegexOptions.Singleline).Value;
        var cards = Regex.Matches(View("_CreateOrUpdate.cshtml"), @"<nop-card asp-name=""([\w-]+)""").Select(match => match.Groups[1].Value).ToList();

        var fields = Regex.Match(form, @"data-segment-fields=""([^""]*)""").Groups[1].Value.Split(',', StringSplitOptions.TrimEntries);
        Assert.That(fields, Is.EquivalentTo(new[] { "#segment-info", "#segment-rule" }));
        Assert.That(cards, Is.SupersetOf(fields.Select(field => field.TrimStart('#'))), "the ids of the info and rule cards");

        var question = Regex.Match(form, @"data-unsaved-confirm=""@T\(""([\w.]+)""\)\.Text""");
        Assert.That(question.Success, "the question is a locale resource, HTML-encoded in the attribute: " + form);
        Assert.That(LocaleResources.EnglishResources, Contains.Key(question.Groups[1].Value));
        var pending = Regex.Match(form, @"data-pending-confirm=""@T\(""([\w.]+)""\)\.Text""");
        Assert.That(pending.Success, "the question about the customers entered to add: " + form);
        Assert.That(LocaleResources.EnglishResources, Contains.Key(pending.Groups[1].Value));
        Assert.That(form, Does.Contain("data-unsaved=\"@(ViewData.ModelState.ErrorCount > 0 ? \"true\" : \"false\")\""),
            "a failed save shown again holds what was posted, not saved");
    }

    /// <summary>
    /// The view's asp-hide expression of a card, compiled as a method of the folded preferences (hideInfoBlock, ...), the
    /// model and the view data: whether the card is rendered folded
    /// </summary>
    private static Func<bool, SegmentModel, ViewDataDictionary, bool> CardFolded(string card)
    {
        var tag = Regex.Match(View("_CreateOrUpdate.cshtml"), $@"<nop-card asp-name=""{card}""[^\n]*?asp-hide=""@(?:\((?<e>.*?)\)|(?<e>\w+))""");
        Assert.That(tag.Success, $"the {card} card and its asp-hide");

        const string preferences = "bool hideInfoBlock, bool hideRuleBlock, bool hideMembersBlock, bool hideAnalyticsBlock";
        var source = $$"""
            using Microsoft.AspNetCore.Mvc.ViewFeatures;
            using Nop.Plugin.Misc.CustomerSegments.Models;
            public static class Card
            {
                public static bool Folded({{preferences}}, SegmentModel Model, ViewDataDictionary ViewData) => {{tag.Groups["e"].Value}};
            }
            """;
        var compilation = CSharpCompilation.Create("Card_" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))], ViewCompilationTests.References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var assembly = new MemoryStream();
        var emitted = compilation.Emit(assembly);
        Assert.That(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));

        var folded = Assembly.Load(assembly.ToArray()).GetType("Card")!.GetMethod("Folded")!;
        //the card's own preference: the one named after it
        var own = Array.IndexOf(["segment-info", "segment-rule", "segment-members", "segment-analytics"], card);

        return (hide, model, viewData) => (bool)folded.Invoke(null, [own == 0 && hide, own == 1 && hide, own == 2 && hide, own == 3 && hide, model, viewData])!;
    }

    private static ViewDataDictionary ViewDataWithErrors(params string[] keys)
    {
        var modelState = new ModelStateDictionary();
        foreach (var key in keys)
            modelState.AddModelError(key, "wrong");
        modelState.SetModelValue("Description", "posted", "posted");

        return new ViewDataDictionary(new EmptyModelMetadataProvider(), modelState);
    }

    //a failed save: the card holding the field's error opens though the admin folded it
    [TestCase("segment-info", "Name", false)]
    [TestCase("segment-info", "StoreId", false)]
    [TestCase("segment-info", "Locales[1].ShopperMessage", false)]
    [TestCase("segment-info", "RuleJson", true)]
    [TestCase("segment-info", "", true)]
    [TestCase("segment-rule", "RuleJson", false)]
    [TestCase("segment-rule", "Name", true)]
    [TestCase("segment-rule", "", true)]
    public void AFoldedCardOpensWhenItHoldsAnError(string card, string errorKey, bool folded)
    {
        var isFolded = CardFolded(card);

        Assert.That(isFolded(true, new SegmentModel(), ViewDataWithErrors(errorKey)), Is.EqualTo(folded));
        Assert.That(isFolded(true, new SegmentModel(), ViewDataWithErrors()), Is.True, "without errors it stays as the admin left it");
        Assert.That(isFolded(false, new SegmentModel(), ViewDataWithErrors(errorKey)), Is.False);
    }

    [Test]
    public void TheRuleCardOpensOnAStoredRuleThatNoLongerValidates()
    {
        var model = new SegmentModel { RuleErrors = [new RuleErrorModel("0", "The value is too long.")] };

        Assert.That(CardFolded("segment-rule")(true, model, ViewDataWithErrors()), Is.False, "its errors are in the card");
        Assert.That(CardFolded("segment-info")(true, model, ViewDataWithErrors()), Is.True);
    }

    [Test]
    public void TheSummaryListsEveryErrorAboveTheCards()
    {
        //as nopCommerce's edit pages (Discount/_CreateOrUpdate.cshtml and most others): a field's error is seen at the top
        //even where its row is hidden (the store of a single-store shop) or below the fold
        Assert.That(View("_CreateOrUpdate.cshtml"), Does.Contain("<div asp-validation-summary=\"All\"></div>"));
    }
}
