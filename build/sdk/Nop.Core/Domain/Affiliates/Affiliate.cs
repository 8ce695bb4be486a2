namespace Nop.Core.Domain.Affiliates;

public class Affiliate : Nop.Core.BaseEntity, Nop.Core.Domain.Common.ISoftDeletedEntity
{
    public bool Active { get; set; }
    public bool Deleted { get; set; }
    public int AddressId { get; set; }
    public string AdminComment { get; set; }
    public string FriendlyUrlName { get; set; }
}
