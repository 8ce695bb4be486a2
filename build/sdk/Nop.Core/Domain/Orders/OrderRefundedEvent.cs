namespace Nop.Core.Domain.Orders;

public class OrderRefundedEvent
{
    public OrderRefundedEvent(Nop.Core.Domain.Orders.Order order, decimal amount)
    {
        Order = order;
        Amount = amount;
    }

    public Nop.Core.Domain.Orders.Order Order { get; }

    public decimal Amount { get; }
}
