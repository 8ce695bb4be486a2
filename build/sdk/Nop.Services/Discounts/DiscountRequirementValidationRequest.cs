using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Stores;

namespace Nop.Services.Discounts;

public class DiscountRequirementValidationRequest
{
    public DiscountRequirementValidationRequest()
    {
    }

    public int DiscountRequirementId { get; set; }

    public Customer Customer { get; set; }

    public Store Store { get; set; }
}
