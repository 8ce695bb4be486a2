namespace Nop.Core.Domain.Customers;

public class CustomerLoggedinEvent
{
    public CustomerLoggedinEvent(Nop.Core.Domain.Customers.Customer customer, Nop.Core.Domain.Customers.Customer guestCustomer = null)
    {
        Customer = customer;
        GuestCustomer = guestCustomer;
    }

    public Nop.Core.Domain.Customers.Customer Customer { get; }

    public Nop.Core.Domain.Customers.Customer GuestCustomer { get; }
}
