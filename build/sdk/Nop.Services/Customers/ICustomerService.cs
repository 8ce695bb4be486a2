using System.Collections.Generic;
using System.Threading.Tasks;
using Nop.Core.Domain.Customers;

namespace Nop.Services.Customers;

public interface ICustomerService
{
    Task<IList<Customer>> GetCustomersByIdsAsync(int[] customerIds);

    Task<bool> IsGuestAsync(Customer customer, bool onlyActiveCustomerRoles = true);

    Task<bool> IsRegisteredAsync(Customer customer, bool onlyActiveCustomerRoles = true);
}
