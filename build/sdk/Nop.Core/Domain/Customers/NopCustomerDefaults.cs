namespace Nop.Core.Domain.Customers;

public static class NopCustomerDefaults
{
    public static string AdministratorsRoleName => "Administrators";

    public static string RegisteredRoleName => "Registered";

    public static string GuestsRoleName => "Guests";

    public static string SearchEngineCustomerName => "SearchEngine";

    public static string BackgroundTaskCustomerName => "BackgroundTask";
}
