using Nop.Services.Plugins;

namespace Nop.Services.Common;

public interface IMiscPlugin : IPlugin
{
}
