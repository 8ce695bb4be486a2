using System.Collections.Generic;
using System.Threading.Tasks;
using Nop.Core.Domain.Stores;

namespace Nop.Services.Stores;

public interface IStoreService
{
    Task<IList<Store>> GetAllStoresAsync();

    Task<Store> GetStoreByIdAsync(int storeId);
}
