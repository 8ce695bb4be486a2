using Nop.Core.Configuration;

namespace Nop.Core.Domain.Orders;

public class ShoppingCartSettings : ISettings
{
    public bool CartsSharedBetweenStores { get; set; }
}
