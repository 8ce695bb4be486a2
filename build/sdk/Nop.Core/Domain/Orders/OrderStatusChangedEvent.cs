namespace Nop.Core.Domain.Orders;

public class OrderStatusChangedEvent
{
    public OrderStatusChangedEvent(Nop.Core.Domain.Orders.Order order, Nop.Core.Domain.Orders.OrderStatus previousOrderStatus)
    {
        Order = order;
        PreviousOrderStatus = previousOrderStatus;
    }

    public Nop.Core.Domain.Orders.Order Order { get; }

    public Nop.Core.Domain.Orders.OrderStatus PreviousOrderStatus { get; set; }
}
