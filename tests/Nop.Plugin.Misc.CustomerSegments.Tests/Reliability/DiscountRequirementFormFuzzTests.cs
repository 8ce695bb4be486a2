using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Configuration;
using Nop.Core.Domain.Discounts;
using Nop.Core.Domain.Localization;
using Nop.Plugin.Misc.CustomerSegments.Controllers;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Admin;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;
using Nop.Services.Discounts;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Forms posted to the discount requirement's configuration (<see cref="DiscountRequirementFormFuzzer"/>, bound as MVC
/// binds them), to the real controller, validator, requirement store and segment service over the database, with
/// nopCommerce's discount and setting services kept in the database's tables: a form is either refused with the
/// plugin's localized errors and the requirements and settings are left as they were (no discount service call but reads),
/// a value MVC could not bind named with its field, or stored and read back as posted
/// </summary>
public class DiscountRequirementFormFuzzTests : DatabaseTestBase
{
    private const int CasesPerSeed = 300;
    private const string OtherRule = "DiscountRequirement.MustBeAssignedToCustomerRole";

    private static readonly List<Regex> _errorTexts = LocaleResources.EnglishResources
        .Where(resource => resource.Key.StartsWith($"{CustomerSegmentsDefaults.LocaleResourcePrefix}.DiscountRequirement.", StringComparison.Ordinal))
        .Select(resource => new Regex($"^{Regex.Replace(Regex.Escape(resource.Value), @"\\\{\d}", ".+")}$", RegexOptions.Singleline))
        .ToList();

    private DiscountRequirementFormFuzzer.Shop _shop;
    private HashSet<int> _segmentIds;
    private readonly List<string> _missingResources = [];

    public DiscountRequirementFormFuzzTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();

        var data = new AdminTestData(Shop);
        var loyal = await data.SegmentAsync("Loyal");
        var big = await data.SegmentAsync("Big spenders");
        var dormant = await data.SegmentAsync("Dormant");
        dormant.Active = false;
        await Repository<Segment>().UpdateAsync(dormant);
        var storeOnly = await data.SegmentAsync("Second store only", storeId: 2);
        var deleted = await data.SegmentAsync("Deleted");
        await Repository<Segment>().DeleteAsync(deleted);
        _segmentIds = [loyal.Id, big.Id, dormant.Id, storeOnly.Id];

        var discount = await DiscountAsync("VIP");
        var other = await DiscountAsync("Other");

        var group = await RequirementAsync(discount, null, isGroup: true);
        var configured = await RequirementAsync(discount, CustomerSegmentsDefaults.SystemName, parentId: group);
        await SettingAsync(SegmentRequirementStore.SettingKey(configured), new SegmentRequirement { IncludeSegmentIds = [loyal.Id] }.ToJson());
        var unconfigured = await RequirementAsync(discount, CustomerSegmentsDefaults.SystemName, parentId: group);
        var roles = await RequirementAsync(discount, OtherRule, parentId: group);
        await SettingAsync($"{OtherRule}-{roles}", "3");
        //nopCommerce keeps a group's name where a requirement keeps its rule's system name: an admin may name a group so
        var namedLikeTheRule = await RequirementAsync(discount, CustomerSegmentsDefaults.SystemName, isGroup: true, parentId: group);

        var otherGroup = await RequirementAsync(other, null, isGroup: true);
        var othersRequirement = await RequirementAsync(other, CustomerSegmentsDefaults.SystemName, parentId: otherGroup);
        await SettingAsync(SegmentRequirementStore.SettingKey(othersRequirement), new SegmentRequirement { IncludeSegmentIds = [big.Id], ExcludeSegmentIds = [loyal.Id] }.ToJson());
        await SettingAsync("customersegmentssettings.includeguests", "False");

        _shop = new DiscountRequirementFormFuzzer.Shop(discount, other, [configured, unconfigured], [othersRequirement], [group, roles, otherGroup, namedLikeTheRule],
            [loyal.Id, big.Id, dormant.Id, storeOnly.Id], [deleted.Id]);
    }

    private async Task<int> DiscountAsync(string name)
    {
        var discount = new Discount { Name = name, DiscountTypeId = (int)DiscountType.AssignedToOrderTotal, IsActive = true };
        await Repository<Discount>().InsertAsync(discount);
        return discount.Id;
    }

    private async Task<int> RequirementAsync(int discountId, string systemName, bool isGroup = false, int? parentId = null)
    {
        var requirement = new DiscountRequirement
        {
            DiscountId = discountId,
            DiscountRequirementRuleSystemName = systemName,
            IsGroup = isGroup,
            InteractionTypeId = isGroup ? (int)RequirementGroupInteractionType.And : null,
            ParentId = parentId
        };
        await Repository<DiscountRequirement>().InsertAsync(requirement);
        return requirement.Id;
    }

    private Task SettingAsync(string name, string value) =>
        Repository<Setting>().InsertAsync(new Setting { Name = name.Trim().ToLowerInvariant(), Value = value, StoreId = 0 });

    #region nopCommerce's services over the database

    private async Task<Setting> FindSettingAsync(string key, int storeId)
    {
        key = key.Trim().ToLowerInvariant();
        return (await Repository<Setting>().GetAllAsync(query => query.Where(setting => setting.Name == key && setting.StoreId == storeId))).FirstOrDefault();
    }

    private async Task SetSettingAsync(string key, string value, int storeId)
    {
        var setting = await FindSettingAsync(key, storeId);
        if (setting is null)
        {
            await Repository<Setting>().InsertAsync(new Setting { Name = key.Trim().ToLowerInvariant(), Value = value, StoreId = storeId });
            return;
        }

        setting.Value = value;
        await Repository<Setting>().UpdateAsync(setting);
    }

    private ISettingService SettingService()
    {
        var settings = new Mock<ISettingService>(MockBehavior.Strict);
        settings.Setup(s => s.GetSettingByKeyAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<int>(), It.IsAny<bool>()))
            .Returns(async (string key, string defaultValue, int storeId, bool _) => (await FindSettingAsync(key, storeId))?.Value ?? defaultValue);
        settings.Setup(s => s.SetSettingAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<int>(), It.IsAny<bool>()))
            .Returns((string key, string value, int storeId, bool _) => SetSettingAsync(key, value, storeId));
        settings.Setup(s => s.GetSettingAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<bool>()))
            .Returns((string key, int storeId, bool _) => FindSettingAsync(key, storeId));

        return settings.Object;
    }

    private Mock<IDiscountService> DiscountService()
    {
        var discounts = new Mock<IDiscountService>(MockBehavior.Strict);
        discounts.Setup(d => d.GetDiscountByIdAsync(It.IsAny<int>())).Returns((int id) => Repository<Discount>().GetByIdAsync(id));
        discounts.Setup(d => d.GetDiscountRequirementByIdAsync(It.IsAny<int>())).Returns((int id) => Repository<DiscountRequirement>().GetByIdAsync(id));
        discounts.Setup(d => d.InsertDiscountRequirementAsync(It.IsAny<DiscountRequirement>()))
            .Returns((DiscountRequirement requirement) => Repository<DiscountRequirement>().InsertAsync(requirement));

        return discounts;
    }

    private ILocalizationService Localization()
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) =>
        {
            if (LocaleResources.EnglishResources.TryGetValue(key, out var text))
                return text;
            lock (_missingResources)
                _missingResources.Add(key);
            return key;
        });

        return localization.Object;
    }

    private (CustomerSegmentsDiscountController Controller, ISegmentRequirementStore Store, Mock<IDiscountService> Discounts) NewController()
    {
        var localization = Localization();
        var segmentService = new SegmentService(Repository<Segment>(), Repository<SegmentMembership>(), Repository<LocalizedProperty>(),
            Mock.Of<ISegmentCacheInvalidator>(), new SegmentRuleSerializer(), new SegmentRuleAnalyzer(new RuleFieldCatalog()),
            new Lazy<ISegmentRuleValidator>(() => throw new InvalidOperationException("the requirement page validates no rule")));
        var store = new SegmentRequirementStore(SettingService());
        var discounts = DiscountService();
        var controller = new CustomerSegmentsDiscountController(new DiscountRequirementFormErrorFactory(localization, LocaleResourceFormatters.Over(localization)), discounts.Object, localization, LocaleResourceFormatters.Over(localization), Mock.Of<IPluginLimitsAdvisor>(), store,
            new SegmentRequirementValidator(localization, LocaleResourceFormatters.Over(localization), segmentService), segmentService, Mock.Of<IWorkContext>())
        {
            ControllerContext = new ControllerContext { HttpContext = new DefaultHttpContext() }
        };

        return (controller, store, discounts);
    }

    #endregion

    private record Snapshot(IList<DiscountRequirement> Requirements, IList<Setting> Settings)
    {
        public static string Describe(DiscountRequirement r) =>
            $"#{r.Id} discount {r.DiscountId} {r.DiscountRequirementRuleSystemName ?? "(group)"} parent {r.ParentId} group {r.IsGroup} interaction {r.InteractionTypeId}";

        public static string Describe(Setting s) => $"#{s.Id} {s.Name}@{s.StoreId}={s.Value}";
    }

    private async Task<Snapshot> SnapshotAsync() => new(
        await Repository<DiscountRequirement>().GetAllAsync(query => query.OrderBy(r => r.Id)),
        await Repository<Setting>().GetAllAsync(query => query.OrderBy(s => s.Id)));

    private static List<string> Differences<T>(IEnumerable<T> before, IEnumerable<T> after, Func<T, string> describe)
    {
        var b = before.Select(describe).ToList();
        var a = after.Select(describe).ToList();
        return b.Except(a).Select(row => $"- {row}").Concat(a.Except(b).Select(row => $"+ {row}")).ToList();
    }

    /// <summary>
    /// Why the form must be refused, worked out from the rule and the database without the plugin's code; null when it is valid
    /// </summary>
    private string Refusal(SegmentRequirementModel model, bool malformed, Snapshot before)
    {
        if (model is null)
            return "no form";
        if (malformed)
            return "a value is not a number or a boolean";
        if (model.DiscountId != _shop.DiscountId && model.DiscountId != _shop.OtherDiscountId)
            return "no such discount";
        if (model.RequirementId != 0 && !before.Requirements.Any(r => r.Id == model.RequirementId && r.DiscountId == model.DiscountId && !r.IsGroup
            && string.Equals(r.DiscountRequirementRuleSystemName, CustomerSegmentsDefaults.SystemName, StringComparison.OrdinalIgnoreCase)))
            return "not a requirement of this rule of this discount";

        var include = model.IncludeSegmentIds ?? [];
        var exclude = model.ExcludeSegmentIds ?? [];
        if (include.Count == 0)
            return "nothing included";
        if (include.Concat(exclude).Any(id => !_segmentIds.Contains(id)))
            return "a segment that does not exist";
        if (include.Distinct().Count() != include.Count || exclude.Distinct().Count() != exclude.Count)
            return "a segment named twice";
        if (include.Intersect(exclude).Any())
            return "a segment included and excluded";

        return null;
    }

    /// <summary>
    /// Posts the form (null: no model at all) and checks the outcome; returns the problem, null when there is none
    /// </summary>
    private async Task<(string Problem, bool Accepted)> PostAsync(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var (controller, store, discounts) = NewController();
        var model = form is null ? null : PostedFormBinder.Bind(form, controller.ModelState);
        var before = await SnapshotAsync();
        var refusal = Refusal(model, !controller.ModelState.IsValid, before);

        IActionResult result;
        try
        {
            result = await controller.Configure(model);
        }
        catch (Exception exception)
        {
            return ($"{exception.GetType().Name} escaped (a 500): {exception.Message}", false);
        }

        var after = await SnapshotAsync();
        var requirementChanges = Differences(before.Requirements, after.Requirements, Snapshot.Describe);
        var settingChanges = Differences(before.Settings, after.Settings, Snapshot.Describe);

        if (result is not OkObjectResult { Value: not null } ok)
            return ($"answered {result?.GetType().Name} instead of the JSON the page reads", false);
        var body = JsonSerializer.SerializeToElement(ok.Value);
        var errors = body.TryGetProperty("Errors", out var list) ? list.EnumerateArray().Select(e => e.GetString()).ToList() : [];

        if (refusal is not null)
        {
            if (errors.Count == 0)
                return ($"{refusal}: accepted, {string.Join("; ", requirementChanges.Concat(settingChanges).DefaultIfEmpty("nothing changed"))}", true);
            if (errors.FirstOrDefault(error => string.IsNullOrWhiteSpace(error) || !_errorTexts.Any(text => text.IsMatch(error))) is { } unclear)
                return ($"{refusal}: refused with an error that is not one of the requirement's localized texts: {unclear}", false);
            if (requirementChanges.Count + settingChanges.Count > 0)
                return ($"{refusal}: refused, yet {string.Join("; ", requirementChanges.Concat(settingChanges))}", false);
            if (discounts.Invocations.FirstOrDefault(call => !call.Method.Name.StartsWith("Get", StringComparison.Ordinal)) is { } call)
                return ($"{refusal}: refused, yet IDiscountService.{call.Method.Name} was called", false);
            if (form is not null && UnnamedValue(PostedFormBinder.Unconvertible(form), errors) is { } unnamed)
                return ($"{refusal}: {unnamed}", false);

            return (null, false);
        }

        if (errors.Count > 0)
            return ($"valid, refused: {string.Join(" | ", errors)}", false);
        if (!body.TryGetProperty("NewRequirementId", out var idProperty) || idProperty.ValueKind != JsonValueKind.Number)
            return ("valid, answered without the requirement's id", true);

        var id = idProperty.GetInt32();
        var key = SegmentRequirementStore.SettingKey(id).ToLowerInvariant();
        if (model.RequirementId == 0)
        {
            var added = after.Requirements.Where(r => before.Requirements.All(b => b.Id != r.Id)).ToList();
            if (added.Count != 1 || added[0].Id != id || added[0].DiscountId != model.DiscountId || added[0].IsGroup
                || added[0].DiscountRequirementRuleSystemName != CustomerSegmentsDefaults.SystemName)
                return ($"a new requirement {id}, but the requirements changed so: {string.Join("; ", requirementChanges)}", true);
            if (requirementChanges.Count != 1)
                return ($"a new requirement {id}, and other requirements changed: {string.Join("; ", requirementChanges)}", true);
        }
        else if (id != model.RequirementId || requirementChanges.Count > 0)
            return ($"requirement {model.RequirementId} saved as {id}, requirements changed: {string.Join("; ", requirementChanges)}", true);

        if (settingChanges.Any(change => !change[2..].Contains($" {key}@0=", StringComparison.Ordinal)))
            return ($"settings other than {key} changed: {string.Join("; ", settingChanges)}", true);

        var stored = after.Settings.Where(s => s.Name == key && s.StoreId == 0).ToList();
        var saved = await store.GetAsync(id);
        if (stored.Count != 1 || saved is null)
            return ($"{stored.Count} settings {key}, read back {(saved is null ? "nothing" : saved.ToJson())}", true);
        if (!saved.IncludeSegmentIds.SequenceEqual(model.IncludeSegmentIds) || !saved.ExcludeSegmentIds.SequenceEqual(model.ExcludeSegmentIds)
            || saved.RequireAll != model.RequireAll)
            return ($"posted include [{string.Join(",", model.IncludeSegmentIds)}] exclude [{string.Join(",", model.ExcludeSegmentIds)}] all {model.RequireAll}, read back {saved.ToJson()}", true);

        return (null, true);
    }

    private static readonly Dictionary<string, string> _fieldNames = new()
    {
        [nameof(SegmentRequirementModel.DiscountId)] = "The discount's id",
        [nameof(SegmentRequirementModel.RequirementId)] = "The requirement's id",
        [nameof(SegmentRequirementModel.IncludeSegmentIds)] = "Customer is in segment(s)",
        [nameof(SegmentRequirementModel.RequireAll)] = "Must be in all of them",
        [nameof(SegmentRequirementModel.ExcludeSegmentIds)] = "But not in segment(s)"
    };

    /// <summary>
    /// What the errors fail to say of the values MVC could not bind: each field has one error, in English, that begins with
    /// the field's name and quotes the first 20 of its values (<see cref="Shown"/>); null when they say it all
    /// </summary>
    private static string UnnamedValue(Dictionary<string, List<string>> unconvertible, List<string> errors)
    {
        foreach (var (field, values) in unconvertible)
        {
            var named = errors.Where(error => error.StartsWith($"{_fieldNames[field]}: ", StringComparison.Ordinal)).ToList();
            if (named.Count != 1)
                return $"{named.Count} errors name {field}, whose values {string.Join(", ", values.Select(v => $"'{v}'"))} were not bound";
            var missing = values.Distinct().Take(20).FirstOrDefault(value => !named[0].Contains($"\"{Shown(value)}", StringComparison.Ordinal));
            if (missing is not null)
                return $"the error '{named[0]}' does not quote the value '{missing}' of {field}";
        }
        if (unconvertible.Count > 0 && errors.Count != unconvertible.Count)
            return $"{errors.Count} errors for {unconvertible.Count} fields not bound: {string.Join(" | ", errors)}";

        return null;
    }

    /// <summary>
    /// How an error shows the beginning of a value: its first 50 characters, control characters by their code
    /// </summary>
    private static string Shown(string value) =>
        string.Concat(value[..Math.Min(value.Length, 50)].Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    private static string Show(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        if (form is null)
            return "(no model)";
        var text = string.Join("&", form.Select(pair => $"{pair.Key}={(pair.Value.Length > 20 ? pair.Value[..20] + "..." : pair.Value)}"));
        return text.Length <= 300 ? text : $"{text[..300]}... ({form.Count} values)";
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task APostedFormIsRefusedWithALocalizedErrorAndNothingChangedOrStoredAsPosted(int seed)
    {
        var failures = new List<string>();
        int refused = 0, accepted = 0;
        foreach (var (label, form) in new DiscountRequirementFormFuzzer(seed, _shop).Cases(CasesPerSeed))
        {
            var (problem, wasAccepted) = await PostAsync(form);
            if (wasAccepted)
                accepted++;
            else
                refused++;
            if (problem is not null)
                failures.Add($"{label} -> {problem} <- {Show(form)}");
        }

        TestContext.Out.WriteLine($"{Engine} seed {seed}: {refused} refused, {accepted} stored");
        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.That(_missingResources, Is.Empty);
        Assert.That(accepted, Is.GreaterThan(CasesPerSeed / 5), "enough forms are valid to be stored");
        Assert.That(refused, Is.GreaterThan(CasesPerSeed / 5), "enough forms are hostile");
    }

    private static List<KeyValuePair<string, string>> Form(params (string Key, object Value)[] values) =>
        values.Select(value => new KeyValuePair<string, string>(value.Key, Convert.ToString(value.Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();

    private IEnumerable<(string Label, List<KeyValuePair<string, string>> Form)> HostileForms()
    {
        var (discount, other) = (_shop.DiscountId, _shop.OtherDiscountId);
        var (s1, s2) = (_shop.SegmentIds[0], _shop.SegmentIds[1]);
        var deleted = _shop.DeletedSegmentIds[0];
        var configured = _shop.Requirements[0];
        yield return ("no model", null);
        yield return ("empty form", Form());
        yield return ("only unknown keys", Form(("Warnings", "<script>alert(1)</script>"), ("AvailableSegments", "1")));
        yield return ("another discount's requirement", Form(("DiscountId", discount), ("RequirementId", _shop.OtherDiscountsRequirements[0]), ("IncludeSegmentIds", s1)));
        yield return ("this requirement under another discount", Form(("DiscountId", other), ("RequirementId", configured), ("IncludeSegmentIds", s1)));
        foreach (var requirement in _shop.OtherRequirements)
            yield return ($"requirement {requirement}, a group or another rule's", Form(("DiscountId", discount), ("RequirementId", requirement), ("IncludeSegmentIds", s1)));
        foreach (var id in new[] { -1, int.MinValue, int.MaxValue, 999_999 })
        {
            yield return ($"requirement id {id}", Form(("DiscountId", discount), ("RequirementId", id), ("IncludeSegmentIds", s1)));
            yield return ($"discount id {id}", Form(("DiscountId", id), ("IncludeSegmentIds", s1)));
            yield return ($"segment id {id}", Form(("DiscountId", discount), ("IncludeSegmentIds", s1), ("ExcludeSegmentIds", id)));
        }
        yield return ("a deleted segment included", Form(("DiscountId", discount), ("IncludeSegmentIds", deleted)));
        yield return ("a deleted segment excluded", Form(("DiscountId", discount), ("RequirementId", configured), ("IncludeSegmentIds", s1), ("ExcludeSegmentIds", deleted)));
        yield return ("segment id 0", Form(("DiscountId", discount), ("IncludeSegmentIds", s1), ("IncludeSegmentIds", 0)));
        yield return ("only non-positive segment ids", Form(("DiscountId", discount), ("IncludeSegmentIds", 0), ("IncludeSegmentIds", -3)));
        foreach (var text in DiscountRequirementFormFuzzer.HostileTexts)
        {
            yield return ($"requirement id '{text}'", Form(("DiscountId", discount), ("RequirementId", text), ("IncludeSegmentIds", s1)));
            yield return ($"discount id '{text}'", Form(("DiscountId", text), ("IncludeSegmentIds", s1)));
            yield return ($"include '{text}'", Form(("DiscountId", discount), ("IncludeSegmentIds", s1), ("IncludeSegmentIds", text)));
            yield return ($"require all '{text}'", Form(("DiscountId", discount), ("IncludeSegmentIds", s1), ("RequireAll", text)));
        }
        yield return ("duplicated include", Form(("DiscountId", discount), ("IncludeSegmentIds", s1), ("IncludeSegmentIds", s1)));
        yield return ("included and excluded", Form(("DiscountId", discount), ("RequirementId", configured), ("IncludeSegmentIds", s1), ("IncludeSegmentIds", s2), ("ExcludeSegmentIds", s2)));
        yield return ("10000 segments that do not exist",
            [new("DiscountId", discount.ToString()), .. Enumerable.Range(1_000_000, 10_000).Select(id => new KeyValuePair<string, string>("IncludeSegmentIds", id.ToString()))]);
        yield return ("valid, lower-case keys", Form(("discountid", discount), ("requirementid", configured), ("includesegmentids", s2), ("requireall", "TRUE")));
        yield return ("valid, all segments", Form(("DiscountId", other), ("IncludeSegmentIds", s2), ("IncludeSegmentIds", s1), ("RequireAll", "true"),
            ("ExcludeSegmentIds", _shop.SegmentIds[2]), ("ExcludeSegmentIds", _shop.SegmentIds[3])));
    }

    [Test]
    public async Task HandPickedHostileFormsAreRefusedWithALocalizedErrorAndNothingChanged()
    {
        var failures = new List<string>();
        foreach (var (label, form) in HostileForms())
        {
            var (problem, _) = await PostAsync(form);
            if (problem is not null)
                failures.Add($"{label} -> {problem} <- {Show(form)}");
        }

        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures));
        Assert.That(_missingResources, Is.Empty);
    }

    [Test]
    public async Task ThePageOfAMissingOrForeignDiscountOrRequirementShowsALocalizedError()
    {
        var (discount, other) = (_shop.DiscountId, _shop.OtherDiscountId);
        var cases = new List<(int DiscountId, int? RequirementId)> { (0, null), (-1, null), (int.MaxValue, null), (int.MinValue, null),
            (discount, 0), (discount, -1), (discount, int.MaxValue), (discount, int.MinValue), (other, _shop.Requirements[0]), (discount, _shop.OtherDiscountsRequirements[0]) };
        cases.AddRange(_shop.OtherRequirements.Select(id => (discount, (int?)id)));
        var before = await SnapshotAsync();

        var failures = new List<string>();
        foreach (var (discountId, requirementId) in cases)
        {
            var (controller, _, _) = NewController();
            try
            {
                if (await controller.Configure(discountId, requirementId) is not ContentResult { Content: { } text } || !_errorTexts.Any(error => error.IsMatch(text)))
                    failures.Add($"discount {discountId}, requirement {requirementId}: not a localized error");
            }
            catch (Exception exception)
            {
                failures.Add($"discount {discountId}, requirement {requirementId}: {exception.GetType().Name} {exception.Message}");
            }
        }
        var after = await SnapshotAsync();

        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures));
        Assert.That(Differences(before.Requirements, after.Requirements, Snapshot.Describe).Concat(Differences(before.Settings, after.Settings, Snapshot.Describe)), Is.Empty);
        Assert.That(_missingResources, Is.Empty);
    }
}
