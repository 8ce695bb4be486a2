namespace Nop.Web.Framework.Infrastructure;

public static class PublicWidgetZones
{
    public static string AccountNavigationAfter => "account_navigation_after";

    public static string CategoryDetailsTop => "categorydetails_top";

    public static string CheckoutConfirmTop => "checkout_confirm_top";

    public static string ContentBefore => "content_before";

    public static string CustomerInfoTop => "customer_info_top";

    public static string HomepageBottom => "home_page_bottom";

    public static string HomepageTop => "home_page_top";

    public static string MainColumnBefore => "main_column_before";

    public static string ManufacturerDetailsTop => "manufacturerdetails_top";

    public static string OpcContentBefore => "opc_content_before";

    public static string OrderSummaryContentBefore => "order_summary_content_before";

    public static string ProductDetailsOverviewTop => "productdetails_overview_top";

    public static string ProductDetailsTop => "productdetails_top";
}
