using System.Collections.Generic;

namespace Nop.Services.Security;

public interface IPermissionConfigManager
{
    IList<PermissionConfig> AllConfigs { get; }
}
