using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

public record SegmentMemberListModel : BasePagedListModel<SegmentMemberModel>
{
}
