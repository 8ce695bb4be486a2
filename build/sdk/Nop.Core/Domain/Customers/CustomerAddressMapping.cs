namespace Nop.Core.Domain.Customers;

public class CustomerAddressMapping : Nop.Core.BaseEntity
{
    public int AddressId { get; set; }
    public int CustomerId { get; set; }
}
