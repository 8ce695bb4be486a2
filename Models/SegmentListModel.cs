using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// A page of the segment list, as DataTables reads it
/// </summary>
public record SegmentListModel : BasePagedListModel<SegmentModel>
{
}
