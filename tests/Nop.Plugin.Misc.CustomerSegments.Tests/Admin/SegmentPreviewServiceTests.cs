using System.Text.Json;
using Moq;
using Nop.Core.Domain.Customers;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// The preview runs the rule's query on the database: the rule engine is replaced by a query over real customers
/// </summary>
public class SegmentPreviewServiceTests : DatabaseTestBase
{
    private readonly List<int> _exampleCustomers = [];
    private Mock<ISegmentRuleSerializer> _serializer;
    private Mock<ISegmentRuleValidator> _validator;
    private Mock<ISegmentRuleQueryBuilder> _queryBuilder;
    private SegmentRule _rule;

    public SegmentPreviewServiceTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();
        var data = new AdminTestData(Shop);
        for (var i = 0; i < 15; i++)
            _exampleCustomers.Add((await data.CustomerAsync($"c{i}@example.com")).Id);
        await data.CustomerAsync("other@elsewhere.org");
    }

    [SetUp]
    public void SetUp()
    {
        _rule = new SegmentRule();
        _serializer = new Mock<ISegmentRuleSerializer>();
        _serializer.Setup(s => s.Parse("{rule}")).Returns(new RuleParseResult(_rule, []));
        _validator = new Mock<ISegmentRuleValidator>();
        _validator.Setup(v => v.ValidateAsync(_rule, 7)).ReturnsAsync(Array.Empty<RuleValidationError>());
        _queryBuilder = new Mock<ISegmentRuleQueryBuilder>();
        _queryBuilder.Setup(b => b.BuildMatchingCustomerIdsQueryAsync(_rule, 2, It.IsAny<DateTime>()))
            .ReturnsAsync(() => Repository<Customer>().Table.Where(c => c.Email.EndsWith("@example.com")).Select(c => c.Id));
    }

    private SegmentPreviewService Service() => new(_queryBuilder.Object, _serializer.Object, _validator.Object);

    [Test]
    public async Task PreviewCountsMatchesAndTakesTheNewestFew()
    {
        var result = await Service().PreviewAsync("{rule}", 7, 2, 10, CancellationToken.None);

        Assert.That(result.IsValid, Is.True);
        Assert.That(result.Count, Is.EqualTo(15));
        Assert.That(result.SampleCustomerIds, Is.EqualTo(_exampleCustomers.OrderByDescending(id => id).Take(10)));
    }

    [Test]
    public async Task PreviewOfARuleMatchingNobodyIsEmpty()
    {
        _queryBuilder.Setup(b => b.BuildMatchingCustomerIdsQueryAsync(_rule, 2, It.IsAny<DateTime>()))
            .ReturnsAsync(() => Repository<Customer>().Table.Where(c => c.Email == "none").Select(c => c.Id));

        var result = await Service().PreviewAsync("{rule}", 7, 2, 10, CancellationToken.None);

        Assert.That(result.Count, Is.Zero);
        Assert.That(result.SampleCustomerIds, Is.Empty);
    }

    [Test]
    public async Task PreviewReturnsParseAndValidationErrorsWithoutQuerying()
    {
        var parseError = new RuleValidationError("", "key", "Malformed");
        _serializer.Setup(s => s.Parse("{bad")).Returns(new RuleParseResult(null, [parseError]));
        //the serializer's English message, in the admin's language
        var localizedParseError = new RuleValidationError("", "key", "Fehlerhaft");
        _validator.Setup(v => v.LocalizeAsync(It.Is<IReadOnlyList<RuleValidationError>>(errors => errors.SequenceEqual(new[] { parseError }))))
            .ReturnsAsync([localizedParseError]);
        var invalid = new SegmentRule();
        var validationError = new RuleValidationError("0.1", "key", "Unknown field");
        _serializer.Setup(s => s.Parse("{invalid}")).Returns(new RuleParseResult(invalid, []));
        _validator.Setup(v => v.ValidateAsync(invalid, 7)).ReturnsAsync([validationError]);

        var malformed = await Service().PreviewAsync("{bad", 7, 2, 10, CancellationToken.None);
        var wrong = await Service().PreviewAsync("{invalid}", 7, 2, 10, CancellationToken.None);

        Assert.That(malformed.Errors, Is.EqualTo(new[] { localizedParseError }));
        Assert.That(wrong.Errors, Is.EqualTo(new[] { validationError }));
        Assert.That(wrong.IsValid, Is.False);
        _queryBuilder.Verify(b => b.BuildMatchingCustomerIdsQueryAsync(It.IsAny<SegmentRule>(), It.IsAny<int>(), It.IsAny<DateTime>()), Times.Never);
    }

    [Test]
    public void ACancelledPreviewStops()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(async () => await Service().PreviewAsync("{rule}", 7, 2, 10, cancelled.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }
}
