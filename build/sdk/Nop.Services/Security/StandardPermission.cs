namespace Nop.Services.Security;

public class StandardPermission
{
    public class Customers
    {
        public const string CUSTOMERS_VIEW = "Customers.CustomersView";
    }

    public class Promotions
    {
        public const string DISCOUNTS_VIEW = "Promotions.DiscountsView";

        public const string DISCOUNTS_CREATE_EDIT_DELETE = "Promotions.DiscountsCreateEditDelete";
    }
}
