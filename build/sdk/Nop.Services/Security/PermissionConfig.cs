using System.Collections.Generic;

namespace Nop.Services.Security;

public class PermissionConfig
{
    public PermissionConfig(string name, string systemName, string category, params string[] defaultCustomerRoles)
    {
        Name = name;
        SystemName = systemName;
        Category = category;
        DefaultCustomerRoles = new List<string>(defaultCustomerRoles);
    }

    public string Name { get; protected set; }

    public string SystemName { get; protected set; }

    public string Category { get; protected set; }

    public List<string> DefaultCustomerRoles { get; }
}
