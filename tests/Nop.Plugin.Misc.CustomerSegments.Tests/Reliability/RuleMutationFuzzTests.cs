using System.Reflection;
using Moq;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Admin;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Localization;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Valid rules with one to three properties mutated (<see cref="RuleMutationFuzzer"/>): each is refused with errors
/// that are the plugin's rule errors with an English text, or accepted, and then it runs on the database and can be
/// stored and read back
/// </summary>
public class RuleMutationFuzzTests : DatabaseTestBase
{
    private const int CasesPerSeed = 150;

    private static readonly HashSet<string> _errorKeys = typeof(RuleErrorKeys)
        .GetProperties(BindingFlags.Public | BindingFlags.Static)
        .Where(property => property.PropertyType == typeof(string))
        .Select(property => (string)property.GetValue(null))
        .ToHashSet(StringComparer.Ordinal);

    public RuleMutationFuzzTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();
        var data = new AdminTestData(Shop);
        for (var i = 0; i < 6; i++)
        {
            var customer = await data.CustomerAsync($"mutation{i}@example.com", new DateTime(1960 + i * 7, 1 + i, 3), $"First{i}", "O'Brien");
            for (var o = 0; o < i % 3; o++)
                await data.OrderAsync(customer.Id, 20 * (o + 1) + i, new DateTime(2025, 2 + o, 1 + i));
        }

        await data.SegmentAsync("S1");
        await data.SegmentAsync("S2");
    }

    private static SegmentRuleValidator Validator(ISegmentRuleSerializer serializer, List<string> missingResources)
    {
        var segments = new Mock<ISegmentService>();
        segments.SetupSegments(id => id is 1 or 2 ? new Segment { Id = id, Name = $"S{id}", SegmentTypeId = (int)SegmentType.Dynamic, Active = true } : null);
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) =>
        {
            if (LocaleResources.EnglishResources.TryGetValue(key, out var text))
                return text;
            lock (missingResources)
                missingResources.Add(key);
            return key;
        });
        return new SegmentRuleValidator(new RuleFieldCatalog(), serializer, segments.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object), Rules.KnownValues.All());
    }

    private static string ErrorProblem(IEnumerable<RuleValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (!_errorKeys.Contains(error.ResourceKey ?? string.Empty))
                return $"error key {error.ResourceKey} is not a rule error";
            if (!LocaleResources.EnglishResources.ContainsKey(error.ResourceKey))
                return $"error key {error.ResourceKey} has no resource";
            if (string.IsNullOrWhiteSpace(error.Message) || error.Message.Contains(CustomerSegmentsDefaults.LocaleResourcePrefix, StringComparison.Ordinal))
                return $"error {error.ResourceKey} has no clear message: {error.Message}";
        }

        return null;
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    public async Task AMutatedRuleIsRefusedWithALocalizedErrorOrRunsAndCanBeStored(int seed)
    {
        var serializer = new SegmentRuleSerializer();
        var missingResources = new List<string>();
        var validator = Validator(serializer, missingResources);
        var builder = Shop.NewRuleQueryBuilder();
        var now = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

        var failures = new List<string>();
        int refused = 0, accepted = 0;
        foreach (var (label, json) in new RuleMutationFuzzer(seed, new RuleFieldCatalog().GetFields()).Cases(CasesPerSeed))
        {
            string problem;
            try
            {
                problem = await CheckAsync(json);
            }
            catch (Exception exception)
            {
                problem = $"{exception.GetType().Name}: {exception.Message}";
            }

            if (problem != null)
                failures.Add($"{label} -> {problem}: {(json.Length <= 400 ? json : json[..400] + $"... ({json.Length} chars)")}");
        }

        async Task<string> CheckAsync(string json)
        {
            var parsed = serializer.Parse(json);
            if (!parsed.Success)
            {
                refused++;
                return parsed.Errors.Count == 0 ? "refused without an error" : ErrorProblem(parsed.Errors);
            }

            var errors = await validator.ValidateAsync(parsed.Rule, 0);
            if (errors.Count > 0)
            {
                refused++;
                return ErrorProblem(errors);
            }

            accepted++;
            var query = await builder.BuildMatchingCustomerIdsQueryAsync(parsed.Rule, 0, now);
            await query.CountAsync();

            //what is saved is the rule written again: it must read back and validate as the rebuilds do
            var stored = serializer.Serialize(parsed.Rule);
            var reread = serializer.Parse(stored);
            if (!reread.Success)
                return $"stored as {stored.Length} chars, it does not read back: {reread.Errors[0].Message}";
            var storedErrors = await validator.ValidateSavedAsync(reread.Rule, 0);
            return storedErrors.Count == 0 ? null : $"stored, it is refused: {storedErrors[0].Message}";
        }

        TestContext.Out.WriteLine($"{Engine} seed {seed}: {refused} refused, {accepted} accepted and run");
        Assert.That(failures, Is.Empty, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.That(missingResources, Is.Empty);
        Assert.That(accepted, Is.GreaterThan(CasesPerSeed / 20), "enough mutations stay valid to reach the database");
    }
}
