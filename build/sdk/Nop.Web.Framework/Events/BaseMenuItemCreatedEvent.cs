using System;
using Nop.Web.Framework.Menu;

namespace Nop.Web.Framework.Events;

public abstract class BaseMenuItemCreatedEvent
{
    protected BaseMenuItemCreatedEvent(IAdminMenu adminMenu)
    {
    }

    public virtual string GetMenuItemUrl(string controllerName, string actionName) => throw new NotImplementedException();
}
