using System.Threading.Tasks;
using Nop.Core.Domain.Customers;

namespace Nop.Core;

public interface IWorkContext
{
    Task<Customer> GetCurrentCustomerAsync();
}
