using Microsoft.AspNetCore.Routing;

namespace Nop.Web.Framework.Mvc.Routing;

public interface IRouteProvider
{
    void RegisterRoutes(IEndpointRouteBuilder endpointRouteBuilder);

    int Priority { get; }
}
