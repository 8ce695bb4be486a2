namespace Nop.Core.Domain.Common;

public class GenericAttribute : Nop.Core.BaseEntity
{
    public System.DateTime? CreatedOrUpdatedDateUTC { get; set; }
    public int EntityId { get; set; }
    public int StoreId { get; set; }
    public string Key { get; set; }
    public string KeyGroup { get; set; }
    public string Value { get; set; }
}
