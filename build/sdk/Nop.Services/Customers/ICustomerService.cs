using System.Collections.Generic;
using System.Threading.Tasks;
using Nop.Core.Domain.Customers;

namespace Nop.Services.Customers;

public interface ICustomerService
{
    Task<Customer> GetCustomerByIdAsync(int customerId);

    Task<IList<Customer>> GetCustomersByIdsAsync(int[] customerIds);

    Task<Customer> GetCustomerByEmailAsync(string email);

    Task<string> GetCustomerFullNameAsync(Customer customer);
}
