using System.Threading.Tasks;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Vendors;

namespace Nop.Core;

public interface IWorkContext
{
    Task<Customer> GetCurrentCustomerAsync();

    Task<Vendor> GetCurrentVendorAsync();
}
