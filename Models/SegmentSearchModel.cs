using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Web.Framework.Models;
using Nop.Web.Framework.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// The filters of the segment list
/// </summary>
public record SegmentSearchModel : BaseSearchModel
{
    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.List.SearchName")]
    public string SearchName { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.List.SearchStore")]
    public int SearchStoreId { get; set; }

    public IList<SelectListItem> AvailableStores { get; set; } = [];

    public bool HideStoresList { get; set; }
}
