using Nop.Core.Domain.Customers;
using Nop.Services.Security;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The permission that opens the plugin's admin pages; nopCommerce installs it with the plugin
/// </summary>
public class CustomerSegmentsPermissionConfigManager : IPermissionConfigManager
{
    /// <summary>
    /// System name of the permission, as a constant so that actions can name it in [CheckPermission]
    /// </summary>
    public const string MANAGE_CUSTOMER_SEGMENTS = "Misc.CustomerSegments.Manage";

    public IList<PermissionConfig> AllConfigs =>
    [
        new("Admin area. Manage customer segments",
            CustomerSegmentsDefaults.ManagePermissionSystemName,
            nameof(StandardPermission.Customers),
            NopCustomerDefaults.AdministratorsRoleName)
    ];
}
