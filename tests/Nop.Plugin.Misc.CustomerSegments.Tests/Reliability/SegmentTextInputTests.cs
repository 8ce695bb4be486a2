using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Localization;
using Nop.Plugin.Misc.CustomerSegments.Controllers;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Membership;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;
using Nop.Services.Customers;
using Nop.Services.Localization;
using Nop.Services.Messages;
using Nop.Services.ScheduleTasks;
using Nop.Plugin.Misc.CustomerSegments.Tests.Localization;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Segment texts posted to the admin's create action, saved through the real segment service on each database
/// </summary>
public class SegmentTextInputTests : MembershipTestBase
{
    public SegmentTextInputTests(DatabaseEngine engine) : base(engine)
    {
    }

    private CustomerSegmentsAdminController Controller()
    {
        var localization = new Mock<ILocalizationService>();
        localization.Setup(l => l.GetResourceAsync(It.IsAny<string>())).ReturnsAsync((string key) => $"[{key}]");
        var factory = new Mock<ISegmentModelFactory>();
        factory.Setup(f => f.PrepareSegmentModelAsync(It.IsAny<SegmentModel>(), It.IsAny<Segment>(), It.IsAny<bool>(), It.IsAny<IReadOnlyList<RuleValidationError>>()))
            .ReturnsAsync((SegmentModel model, Segment _, bool _, IReadOnlyList<RuleValidationError> _) => model ?? new SegmentModel());

        var languages = new Mock<ILanguageService>();
        languages.Setup(l => l.GetAllLanguagesAsync(true, 0)).ReturnsAsync([new Language { Id = 1 }]);

        return new CustomerSegmentsAdminController(new CustomerSegmentsSettings(), Mock.Of<ICustomerService>(),
            new FormValueErrorFactory(localization.Object, LocaleResourceFormatters.Over(localization.Object)), languages.Object, localization.Object, LocaleResourceFormatters.Over(localization.Object),
            Mock.Of<ILocalizedEntityService>(), Mock.Of<INotificationService>(), Mock.Of<Nop.Services.Catalog.IPriceFormatter>(), Mock.Of<IScheduleTaskService>(), Mock.Of<ISegmentAnalyticsService>(), Mock.Of<ISegmentCopyService>(),
            Mock.Of<ISegmentMemberCsvService>(), factory.Object, Mock.Of<ISegmentPreviewService>(), Mock.Of<ISegmentRebuildRunService>(),
            Serializer, Validator, SegmentService, Mock.Of<ISegmentValueLookupService>(), Mock.Of<ISettingService>(), StaticService,
            Mock.Of<Nop.Services.Stores.IStoreService>(), Mock.Of<IWorkContext>())
        {
            ControllerContext = new ControllerContext { HttpContext = new DefaultHttpContext() }
        };
    }

    /// <summary>
    /// A control character (NUL here, which PostgreSQL refuses in text) in a name or description is bad input: a
    /// localized field error, nothing saved, no database error
    /// </summary>
    [TestCase("VIP\u0000", null)]
    [TestCase("VIP", "for\u0000 the best")]
    public async Task ANulInTheNameOrDescriptionIsAFieldErrorNotADatabaseError(string name, string description)
    {
        var controller = Controller();
        IActionResult result = null;

        Assert.DoesNotThrowAsync(async () => result = await controller.Create(new SegmentModel
        {
            Name = name, Description = description, SegmentTypeId = (int)SegmentType.Static, Active = true
        }, false));

        Assert.That(result, Is.InstanceOf<ViewResult>(), "the segment was saved");
        Assert.That(controller.ModelState.IsValid, Is.False);
        Assert.That(await Repository<Segment>().Table.CountAsync(), Is.Zero);
    }
}
