namespace Nop.Core.Domain.Orders;

public class OrderPlacedEvent
{
    public OrderPlacedEvent(Nop.Core.Domain.Orders.Order order)
    {
        Order = order;
    }

    public Nop.Core.Domain.Orders.Order Order { get; }
}
