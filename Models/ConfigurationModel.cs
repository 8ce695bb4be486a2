using Microsoft.AspNetCore.Mvc.Rendering;
using Nop.Web.Framework.Models;
using Nop.Web.Framework.Mvc.ModelBinding;

namespace Nop.Plugin.Misc.CustomerSegments.Models;

/// <summary>
/// The plugin's settings page
/// </summary>
public record ConfigurationModel : BaseNopModel
{
    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.PurchasePaymentStatuses")]
    public IList<int> PurchasePaymentStatusIds { get; set; } = [];

    public IList<SelectListItem> AvailablePaymentStatuses { get; set; } = [];

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.ExcludedOrderStatuses")]
    public IList<int> ExcludedOrderStatusIds { get; set; } = [];

    public IList<SelectListItem> AvailableOrderStatuses { get; set; } = [];

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.IncludeGuests")]
    public bool IncludeGuests { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.RebuildIntervalMinutes")]
    public int RebuildIntervalMinutes { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.FullRebuildIntervalHours")]
    public int FullRebuildIntervalHours { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.QueuedChanges")]
    public int QueuedChanges { get; set; }

    public bool SuggestPreparedStatements { get; set; }

    public bool SuggestPlainTransactions { get; set; }

    /// <summary>
    /// Whether the plugin is limited to stores or customer roles, for which nopCommerce skips its discount requirements
    /// </summary>
    public bool PluginLimited { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.RfmWindowDays")]
    public int RfmWindowDays { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.WidgetEnabled")]
    public bool WidgetEnabled { get; set; }

    [NopResourceDisplayName("Plugins.Misc.CustomerSegments.Configuration.WidgetZones")]
    public IList<string> WidgetZones { get; set; } = [];

    public IList<SelectListItem> AvailableWidgetZones { get; set; } = [];
}
