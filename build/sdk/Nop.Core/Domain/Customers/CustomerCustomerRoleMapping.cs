namespace Nop.Core.Domain.Customers;

public class CustomerCustomerRoleMapping : Nop.Core.BaseEntity
{
    public int CustomerId { get; set; }
    public int CustomerRoleId { get; set; }
}
