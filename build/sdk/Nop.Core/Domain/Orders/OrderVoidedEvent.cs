namespace Nop.Core.Domain.Orders;

public class OrderVoidedEvent
{
    public OrderVoidedEvent(Nop.Core.Domain.Orders.Order order)
    {
        Order = order;
    }

    public Nop.Core.Domain.Orders.Order Order { get; }
}
