namespace Nop.Core.Domain.Orders;

public enum OrderStatus
{
    Cancelled = 40,
    Complete = 30,
    Pending = 10,
    Processing = 20,
}
