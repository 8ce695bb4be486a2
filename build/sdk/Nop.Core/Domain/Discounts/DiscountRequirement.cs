namespace Nop.Core.Domain.Discounts;

public class DiscountRequirement : Nop.Core.BaseEntity
{
    public Nop.Core.Domain.Discounts.RequirementGroupInteractionType? InteractionType { get; set; }
    public bool IsGroup { get; set; }
    public int DiscountId { get; set; }
    public int? InteractionTypeId { get; set; }
    public int? ParentId { get; set; }
    public string DiscountRequirementRuleSystemName { get; set; }
}
