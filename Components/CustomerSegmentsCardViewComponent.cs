using Microsoft.AspNetCore.Mvc;
using Nop.Core;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Services.Security;
using Nop.Web.Framework.Components;
using Nop.Web.Framework.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Components;

/// <summary>
/// The card on the admin customer page listing the customer's current segments
/// </summary>
public class CustomerSegmentsCardViewComponent : NopViewComponent
{
    public const string ViewPath = "~/Plugins/Misc.CustomerSegments/Views/Components/CustomerSegmentsCard.cshtml";

    protected readonly IPermissionService _permissionService;
    protected readonly ISegmentModelFactory _segmentModelFactory;
    protected readonly IWorkContext _workContext;

    public CustomerSegmentsCardViewComponent(IPermissionService permissionService, ISegmentModelFactory segmentModelFactory, IWorkContext workContext)
    {
        _permissionService = permissionService;
        _segmentModelFactory = segmentModelFactory;
        _workContext = workContext;
    }

    /// <param name="widgetZone">The admin customer details zone</param>
    /// <param name="additionalData">The customer page's model: an entity model whose id is the customer's</param>
    public async Task<IViewComponentResult> InvokeAsync(string widgetZone, object additionalData)
    {
        if (additionalData is not BaseNopEntityModel { Id: > 0 } customerModel)
            return Content(string.Empty);

        if (!await _permissionService.AuthorizeAsync(CustomerSegmentsPermissionConfigManager.MANAGE_CUSTOMER_SEGMENTS))
            return Content(string.Empty);

        //as the plugin's pages, the card is never shown to a vendor
        if (await _workContext.GetCurrentVendorAsync() != null)
            return Content(string.Empty);

        var model = await _segmentModelFactory.PrepareCustomerSegmentsCardModelAsync(customerModel.Id);

        return View(ViewPath, model);
    }
}
