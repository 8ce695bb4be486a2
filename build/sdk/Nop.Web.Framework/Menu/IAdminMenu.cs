namespace Nop.Web.Framework.Menu;

public interface IAdminMenu
{
    string GetMenuItemUrl(string controllerName, string actionName);
}
