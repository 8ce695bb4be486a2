using System.Collections.Generic;
using Nop.Core.Configuration;

namespace Nop.Core.Domain.Cms;

public class WidgetSettings : ISettings
{
    public WidgetSettings()
    {
        ActiveWidgetSystemNames = new List<string>();
    }

    public List<string> ActiveWidgetSystemNames { get; set; }
}
