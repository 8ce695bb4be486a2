namespace Nop.Core.Domain.Customers;

public class CustomerAttribute : Nop.Core.Domain.Attributes.BaseAttribute
{

}
