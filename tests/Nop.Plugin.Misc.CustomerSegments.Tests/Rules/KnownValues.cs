using Moq;
using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// Value lookups for validators whose tests are not about deleted stores
/// </summary>
public static class KnownValues
{
    /// <summary>
    /// A lookup that knows every value asked for
    /// </summary>
    public static ISegmentValueLookupService All()
    {
        var lookups = new Mock<ISegmentValueLookupService>();
        lookups.Setup(l => l.GetByIdsAsync(It.IsAny<Services.Rules.RuleValueSource>(), It.IsAny<IList<int>>()))
            .ReturnsAsync((Services.Rules.RuleValueSource _, IList<int> ids) => ids.Distinct().Select(id => new ValueLookupItem(id, $"#{id}")).ToList());
        lookups.Setup(l => l.GetExistingIdsAsync(It.IsAny<Services.Rules.RuleValueSource>(), It.IsAny<IList<int>>()))
            .ReturnsAsync((Services.Rules.RuleValueSource _, IList<int> ids) => ids.ToHashSet());

        return lookups.Object;
    }
}
