namespace Nop.Web.Framework.UI;

public interface INopHtmlHelper
{
    void SetActiveMenuItemSystemName(string systemName);

    void AddScriptParts(ResourceLocation location, string src, string debugSrc = "", bool excludeFromBundle = false);
}
