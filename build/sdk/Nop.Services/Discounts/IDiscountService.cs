using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Discounts;

namespace Nop.Services.Discounts;

public interface IDiscountService
{
    Task<Discount> GetDiscountByIdAsync(int discountId);

    Task UpdateDiscountAsync(Discount discount);

    Task<IList<Discount>> GetAllDiscountsAsync(DiscountType? discountType = null, string couponCode = null, string discountName = null, bool showHidden = false, DateTime? startDateUtc = null, DateTime? endDateUtc = null, bool? isActive = true, int vendorId = 0);

    Task<DiscountRequirement> GetDiscountRequirementByIdAsync(int discountRequirementId);

    Task<IList<DiscountRequirement>> GetAllDiscountRequirementsAsync(int discountId = 0, bool topLevelOnly = false);

    Task InsertDiscountRequirementAsync(DiscountRequirement discountRequirement);

    Task DeleteDiscountRequirementAsync(DiscountRequirement discountRequirement, bool recursively);

    Task<DiscountValidationResult> ValidateDiscountAsync(Discount discount, Customer customer, string[] couponCodesToValidate);
}
