namespace Nop.Web.Framework.UI;

public interface INopHtmlHelper
{
    void SetActiveMenuItemSystemName(string systemName);
}
