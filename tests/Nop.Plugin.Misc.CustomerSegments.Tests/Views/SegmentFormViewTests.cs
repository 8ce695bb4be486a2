using System.Text.RegularExpressions;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
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
}
