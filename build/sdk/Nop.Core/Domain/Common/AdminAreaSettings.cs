using Nop.Core.Configuration;

namespace Nop.Core.Domain.Common;

public class AdminAreaSettings : ISettings
{
    public int DefaultGridPageSize { get; set; }

    public string GridPageSizes { get; set; }
}
