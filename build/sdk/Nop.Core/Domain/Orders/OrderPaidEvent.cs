namespace Nop.Core.Domain.Orders;

public class OrderPaidEvent
{
    public OrderPaidEvent(Nop.Core.Domain.Orders.Order order)
    {
        Order = order;
    }

    public Nop.Core.Domain.Orders.Order Order { get; }
}
