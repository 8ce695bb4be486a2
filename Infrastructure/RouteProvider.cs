using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Nop.Web.Framework;
using Nop.Web.Framework.Mvc.Routing;

namespace Nop.Plugin.Misc.CustomerSegments.Infrastructure;

/// <summary>
/// The route of the discount requirement's configuration, opened from the discount's requirement editor
/// </summary>
public class RouteProvider : IRouteProvider
{
    public void RegisterRoutes(IEndpointRouteBuilder endpointRouteBuilder)
    {
        endpointRouteBuilder.MapControllerRoute(name: CustomerSegmentsDefaults.DiscountRequirementConfigurationRouteName,
            pattern: "Admin/CustomerSegmentsDiscount/Configure",
            defaults: new { controller = "CustomerSegmentsDiscount", action = "Configure", area = AreaNames.ADMIN });
    }

    public int Priority => 0;
}
