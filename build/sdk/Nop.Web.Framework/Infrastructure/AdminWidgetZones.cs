namespace Nop.Web.Framework.Infrastructure;

public static class AdminWidgetZones
{
    public static string CustomerDetailsBlock => "admin_customer_details_block";
}
