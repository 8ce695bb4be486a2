namespace Nop.Core.Domain.Customers;

public class CustomerAttributeValue : Nop.Core.Domain.Attributes.BaseAttributeValue
{

}
