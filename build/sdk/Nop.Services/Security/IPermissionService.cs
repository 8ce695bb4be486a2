using System.Threading.Tasks;
using Nop.Core.Domain.Customers;

namespace Nop.Services.Security;

public interface IPermissionService
{
    Task<bool> AuthorizeAsync(string permissionRecordSystemName);

    Task<bool> AuthorizeAsync(string permissionRecordSystemName, Customer customer);

    Task InsertPermissionsAsync();

    Task DeletePermissionAsync(string permissionSystemName);
}
