using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Nop.Services.Plugins;

namespace Nop.Services.Cms;

public interface IWidgetPlugin : IPlugin
{
    Task<IList<string>> GetWidgetZonesAsync();

    Type GetWidgetViewComponent(string widgetZone);

    bool HideInWidgetList { get; }
}
