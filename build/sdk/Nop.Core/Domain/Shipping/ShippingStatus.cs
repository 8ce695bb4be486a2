namespace Nop.Core.Domain.Shipping;

public enum ShippingStatus
{
    Delivered = 40,
    NotYetShipped = 20,
    PartiallyShipped = 25,
    Shipped = 30,
    ShippingNotRequired = 10,
}
