using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// The templates a new segment can start from are rules the plugin accepts and runs on every engine
/// </summary>
public class SegmentTemplateTests : MembershipTestBase
{
    public SegmentTemplateTests(DatabaseEngine engine) : base(engine)
    {
    }

    [Test]
    public async Task EveryTemplateIsSavedAndBuiltAsAnAdminsRule()
    {
        var serializer = new SegmentRuleSerializer();
        var templates = new SegmentTemplateCatalog().GetTemplates();
        Assert.That(templates.Select(template => template.SystemName), Is.Unique);

        foreach (var template in templates)
        {
            //the rule the create page posts back, parsed as the controller parses it
            var parsed = serializer.Parse(serializer.Serialize(template.Rule));
            Assert.That(parsed.Success, Is.True, template.SystemName);

            var segment = await SegmentAsync(template.SystemName, serializer.Serialize(parsed.Rule));
            var result = await RebuildService.RebuildSegmentAsync(segment);

            Assert.That(result.Failed, Is.False, template.SystemName);
        }
    }

    [Test]
    public async Task TheNewCustomersTemplateSelectsTheCustomersRegisteredInTheLast30Days()
    {
        var fresh = await CustomerAsync("fresh@example.com", createdOnUtc: DateTime.UtcNow.AddDays(-3));
        await CustomerAsync("old@example.com", createdOnUtc: DateTime.UtcNow.AddDays(-45));
        var serializer = new SegmentRuleSerializer();
        var template = new SegmentTemplateCatalog().GetTemplate("newcustomers");

        var segment = await SegmentAsync("New", serializer.Serialize(template.Rule));
        await RebuildService.RebuildSegmentAsync(segment);

        Assert.That(await CurrentMemberIdsAsync(segment.Id), Is.EqualTo(new[] { fresh.Id }));
    }

    [Test]
    public void EveryTemplateHasANameAndADescriptionInEnglish()
    {
        var english = LocaleResources.English;

        foreach (var template in new SegmentTemplateCatalog().GetTemplates())
        {
            Assert.That(english.TryGetValue($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.{template.NameResource}", out var name) && name.Length > 0,
                $"{template.SystemName}: name");
            Assert.That(english.TryGetValue($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.{template.DescriptionResource}", out var description) && description.Length > 0,
                $"{template.SystemName}: description");
        }
    }

    [Test]
    public void EachCallerGetsItsOwnRules()
    {
        var catalog = new SegmentTemplateCatalog();
        var first = catalog.GetTemplate("Vip");
        ((RuleCondition)first.Rule.Root.Children[0]).Operator = RuleOperators.LessThan;

        Assert.That(((RuleCondition)catalog.GetTemplate("Vip").Rule.Root.Children[0]).Operator, Is.EqualTo(RuleOperators.GreaterThanOrEqual));
    }
}
