namespace Nop.Core.Domain.Discounts;

public enum RequirementGroupInteractionType
{
    And = 0,
    Or = 2,
}
