namespace Nop.Services.Security;

public class StandardPermission
{
    public class Customers
    {
        public const string CUSTOMERS_VIEW = "Customers.CustomersView";
    }
}
