namespace Nop.Core.Domain.Orders;

public class ShoppingCartItem : Nop.Core.BaseEntity
{
    public Nop.Core.Domain.Orders.ShoppingCartType ShoppingCartType { get => (Nop.Core.Domain.Orders.ShoppingCartType)ShoppingCartTypeId; set => ShoppingCartTypeId = (int)value; }
    public System.DateTime CreatedOnUtc { get; set; }
    public System.DateTime UpdatedOnUtc { get; set; }
    public System.DateTime? RentalEndDateUtc { get; set; }
    public System.DateTime? RentalStartDateUtc { get; set; }
    public decimal CustomerEnteredPrice { get; set; }
    public int CustomerId { get; set; }
    public int ProductId { get; set; }
    public int Quantity { get; set; }
    public int ShoppingCartTypeId { get; set; }
    public int StoreId { get; set; }
    public int? CustomWishlistId { get; set; }
    public string AttributesXml { get; set; }
}
