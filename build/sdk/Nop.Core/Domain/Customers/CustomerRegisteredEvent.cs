namespace Nop.Core.Domain.Customers;

public class CustomerRegisteredEvent
{
    public CustomerRegisteredEvent(Nop.Core.Domain.Customers.Customer customer)
    {
        Customer = customer;
    }

    public Nop.Core.Domain.Customers.Customer Customer { get; }
}
