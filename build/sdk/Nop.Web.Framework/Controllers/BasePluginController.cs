namespace Nop.Web.Framework.Controllers;

public abstract class BasePluginController : BaseController
{
    protected BasePluginController()
    {
    }
}
