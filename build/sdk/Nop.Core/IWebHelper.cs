namespace Nop.Core;

public interface IWebHelper
{
    string GetStoreLocation(bool? useSsl = null);

    string GetCurrentRequestProtocol();
}
