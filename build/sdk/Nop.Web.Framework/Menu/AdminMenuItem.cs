using System;
using System.Collections.Generic;

namespace Nop.Web.Framework.Menu;

public class AdminMenuItem
{
    public AdminMenuItem()
    {
        ChildNodes = new List<AdminMenuItem>();
    }

    public AdminMenuItem GetItemBySystemName(string systemName) => throw new NotImplementedException();

    public virtual bool InsertAfter(string itemSystemName, AdminMenuItem newMenuItem) => throw new NotImplementedException();

    public virtual bool InsertBefore(string itemSystemName, AdminMenuItem newMenuItem) => throw new NotImplementedException();

    public string SystemName { get; set; }

    public string Title { get; set; }

    public string Url { get; set; }

    public IList<AdminMenuItem> ChildNodes { get; set; }

    public string IconClass { get; set; }

    public bool Visible { get; set; }

    public IList<string> PermissionNames { get; set; }
}
