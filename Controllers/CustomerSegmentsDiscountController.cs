using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Core;
using Nop.Core.Domain.Discounts;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Factories;
using Nop.Plugin.Misc.CustomerSegments.Models;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Discounts;
using Nop.Services.Discounts;
using Nop.Services.Localization;
using Nop.Services.Security;
using Nop.Web.Framework;
using Nop.Web.Framework.Controllers;
using Nop.Web.Framework.Mvc.Filters;

namespace Nop.Plugin.Misc.CustomerSegments.Controllers;

/// <summary>
/// Configuration of the "customer is in segment(s)" discount requirement, shown inside the discount's requirement editor
/// </summary>
[AuthorizeAdmin]
[Area(AreaNames.ADMIN)]
[AutoValidateAntiforgeryToken]
[ValidateIpAddress]
public class CustomerSegmentsDiscountController : BasePluginController
{
    public const string ViewPath = "~/Plugins/Misc.CustomerSegments/Views/DiscountRequirement/Configure.cshtml";

    protected readonly IDiscountRequirementFormErrorFactory _discountRequirementFormErrorFactory;
    protected readonly IDiscountService _discountService;
    protected readonly ILocalizationService _localizationService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;
    protected readonly IPluginLimitsAdvisor _pluginLimitsAdvisor;
    protected readonly ISegmentRequirementStore _segmentRequirementStore;
    protected readonly ISegmentRequirementValidator _segmentRequirementValidator;
    protected readonly ISegmentService _segmentService;
    protected readonly IWorkContext _workContext;

    public CustomerSegmentsDiscountController(IDiscountRequirementFormErrorFactory discountRequirementFormErrorFactory,
        IDiscountService discountService,
        ILocalizationService localizationService,
        ILocaleResourceFormatter localeResourceFormatter,
        IPluginLimitsAdvisor pluginLimitsAdvisor,
        ISegmentRequirementStore segmentRequirementStore,
        ISegmentRequirementValidator segmentRequirementValidator,
        ISegmentService segmentService,
        IWorkContext workContext)
    {
        _discountRequirementFormErrorFactory = discountRequirementFormErrorFactory;
        _discountService = discountService;
        _localizationService = localizationService;
        _localeResourceFormatter = localeResourceFormatter;
        _pluginLimitsAdvisor = pluginLimitsAdvisor;
        _segmentRequirementStore = segmentRequirementStore;
        _segmentRequirementValidator = segmentRequirementValidator;
        _segmentService = segmentService;
        _workContext = workContext;
    }

    /// <summary>
    /// Whether the admin is a vendor: nopCommerce lets vendors edit their own discounts, but segments are the shop's
    /// customers, which a vendor may neither see nor target
    /// </summary>
    protected virtual async Task<bool> IsVendorAsync() => await _workContext.GetCurrentVendorAsync() != null;

    protected virtual Task<string> TextAsync(string name) => _localizationService.GetResourceAsync(CustomerSegmentsDefaults.DiscountRequirementResource(name));

    protected virtual Task<string> FormatTextAsync(string name, params object[] args) => _localeResourceFormatter.FormatAsync(CustomerSegmentsDefaults.DiscountRequirementResource(name), args);

    /// <summary>
    /// Whether the requirement, when there is one, belongs to the discount and to this rule
    /// </summary>
    protected virtual bool IsOurs(DiscountRequirement requirement, int discountId) =>
        requirement.DiscountId == discountId && SegmentRequirementRule.IsRuleRequirement(requirement);

    /// <summary>
    /// What makes the requirement fail for every shopper now (segments deleted or inactive), or nopCommerce skip it for
    /// some (the plugin limited to stores or customer roles)
    /// </summary>
    protected virtual async Task<IList<string>> PrepareWarningsAsync(SegmentRequirement requirement, IReadOnlyDictionary<int, Segment> segmentsById)
    {
        var warnings = new List<string>();
        if (await _pluginLimitsAdvisor.IsLimitedAsync())
            warnings.Add(await TextAsync("PluginLimited"));

        foreach (var id in requirement.AllSegmentIds)
        {
            if (!segmentsById.TryGetValue(id, out var segment))
                warnings.Add(await FormatTextAsync("SegmentMissing", id));
            else if (!segment.Active)
                warnings.Add(await FormatTextAsync("SegmentInactive", segment.Name));
        }

        return warnings;
    }

    [CheckPermission(StandardPermission.Promotions.DISCOUNTS_VIEW)]
    public virtual async Task<IActionResult> Configure(int discountId, int? discountRequirementId)
    {
        if (await IsVendorAsync())
            return Content(await TextAsync("VendorRefused"));

        if (await _discountService.GetDiscountByIdAsync(discountId) is null)
            return Content(await TextAsync("DiscountNotFound"));

        SegmentRequirement saved = null;
        if (discountRequirementId.HasValue)
        {
            var requirement = await _discountService.GetDiscountRequirementByIdAsync(discountRequirementId.Value);
            if (requirement is null || !IsOurs(requirement, discountId))
                return Content(await TextAsync("RequirementNotFound"));

            saved = await _segmentRequirementStore.GetAsync(requirement.Id);
        }
        saved ??= new SegmentRequirement();

        var segments = await _segmentService.GetAllSegmentsAsync();
        var byId = segments.ToDictionary(segment => segment.Id);
        var model = new SegmentRequirementModel
        {
            DiscountId = discountId,
            RequirementId = discountRequirementId ?? 0,
            IncludeSegmentIds = saved.IncludeSegmentIds.ToList(),
            RequireAll = saved.RequireAll,
            ExcludeSegmentIds = saved.ExcludeSegmentIds.ToList(),
        };
        //an inactive segment can be chosen (the admin may activate it later), but the list says which ones fail now
        foreach (var segment in segments.OrderBy(segment => segment.Name))
        {
            var text = segment.Active ? segment.Name : await FormatTextAsync("InactiveSegmentOption", segment.Name);
            model.AvailableSegments.Add(new SelectListItem(text, segment.Id.ToString()));
        }

        model.Warnings = await PrepareWarningsAsync(saved, byId);

        ViewData.TemplateInfo.HtmlFieldPrefix = string.Format(CustomerSegmentsDefaults.DiscountRequirementHtmlFieldPrefix, model.RequirementId);

        return View(ViewPath, model);
    }

    [HttpPost]
    [CheckPermission(StandardPermission.Promotions.DISCOUNTS_CREATE_EDIT_DELETE)]
    public virtual async Task<IActionResult> Configure(SegmentRequirementModel model)
    {
        if (await IsVendorAsync())
            return Ok(new { Errors = new[] { await TextAsync("VendorRefused") } });

        if (model is null)
            return Ok(new { Errors = new[] { await TextAsync("InvalidValues") } });

        //a value MVC could not bind is left out of the model (a requirement id: 0, a new requirement), so nothing is saved
        if (!ModelState.IsValid)
            return Ok(new { Errors = await _discountRequirementFormErrorFactory.PrepareInvalidValueErrorsAsync(ModelState) });

        var discount = await _discountService.GetDiscountByIdAsync(model.DiscountId);
        if (discount is null)
            return Ok(new { Errors = new[] { await TextAsync("DiscountNotFound") } });

        DiscountRequirement requirement = null;
        if (model.RequirementId != 0)
        {
            requirement = await _discountService.GetDiscountRequirementByIdAsync(model.RequirementId);
            if (requirement is null || !IsOurs(requirement, discount.Id))
                return Ok(new { Errors = new[] { await TextAsync("RequirementNotFound") } });
        }

        var configuration = new SegmentRequirement
        {
            IncludeSegmentIds = (model.IncludeSegmentIds ?? []).ToList(),
            RequireAll = model.RequireAll,
            ExcludeSegmentIds = (model.ExcludeSegmentIds ?? []).ToList()
        };

        var errors = await _segmentRequirementValidator.ValidateAsync(configuration);
        if (errors.Count > 0)
            return Ok(new { Errors = errors });

        if (requirement is null)
        {
            requirement = new DiscountRequirement
            {
                DiscountId = discount.Id,
                DiscountRequirementRuleSystemName = CustomerSegmentsDefaults.SystemName
            };
            await _discountService.InsertDiscountRequirementAsync(requirement);
        }

        await _segmentRequirementStore.SaveAsync(requirement.Id, configuration);

        //saved as asked; an inactive segment makes it fail until the admin activates it, which the form says at once
        var named = (await _segmentService.GetSegmentsByIdsAsync(configuration.AllSegmentIds.ToList()))
            .Where(segment => segment is not null)
            .ToDictionary(segment => segment.Id);

        return Ok(new { NewRequirementId = requirement.Id, Warnings = await PrepareWarningsAsync(configuration, named) });
    }
}
