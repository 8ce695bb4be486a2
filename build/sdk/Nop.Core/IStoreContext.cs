using System.Threading.Tasks;
using Nop.Core.Domain.Stores;

namespace Nop.Core;

public interface IStoreContext
{
    Task<Store> GetCurrentStoreAsync();
}
