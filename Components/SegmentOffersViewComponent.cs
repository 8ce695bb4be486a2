using Microsoft.AspNetCore.Mvc;
using Nop.Core;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Web.Framework.Components;

namespace Nop.Plugin.Misc.CustomerSegments.Components;

/// <summary>
/// Tells shoppers about the discounts their segments unlock, in the public widget zones the admin chose
/// </summary>
public class SegmentOffersViewComponent : NopViewComponent
{
    public const string ViewPath = "~/Plugins/Misc.CustomerSegments/Views/Components/SegmentOffers.cshtml";

    protected readonly ISegmentOffersModelFactory _segmentOffersModelFactory;
    protected readonly IStoreContext _storeContext;
    protected readonly IWorkContext _workContext;

    public SegmentOffersViewComponent(ISegmentOffersModelFactory segmentOffersModelFactory, IStoreContext storeContext, IWorkContext workContext)
    {
        _segmentOffersModelFactory = segmentOffersModelFactory;
        _storeContext = storeContext;
        _workContext = workContext;
    }

    public async Task<IViewComponentResult> InvokeAsync(string widgetZone, object additionalData)
    {
        var customer = await _workContext.GetCurrentCustomerAsync();
        var store = await _storeContext.GetCurrentStoreAsync();
        var model = await _segmentOffersModelFactory.PrepareSegmentOffersModelAsync(customer, store);
        if (model.Messages.Count == 0)
            return Content(string.Empty);

        return View(ViewPath, model);
    }
}
