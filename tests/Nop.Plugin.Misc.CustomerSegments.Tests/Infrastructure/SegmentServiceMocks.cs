using Moq;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;

public static class SegmentServiceMocks
{
    /// <summary>
    /// Looks segments up by id, one at a time and by lists, in the same segments
    /// </summary>
    /// <param name="segmentService">The stand-in</param>
    /// <param name="segmentById">The segment of an id; null when there is none</param>
    public static Mock<ISegmentService> SetupSegments(this Mock<ISegmentService> segmentService, Func<int, Segment> segmentById)
    {
        segmentService.Setup(service => service.GetSegmentByIdAsync(It.IsAny<int>())).ReturnsAsync(segmentById);
        segmentService.Setup(service => service.GetSegmentsByIdsAsync(It.IsAny<IList<int>>()))
            .ReturnsAsync((IList<int> ids) => ids.Select(segmentById).Where(segment => segment != null).ToList());

        return segmentService;
    }
}
