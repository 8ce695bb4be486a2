using System.Threading.Tasks;
using Nop.Core;

namespace Nop.Services.Common;

public interface IGenericAttributeService
{
    Task<TPropType> GetAttributeAsync<TPropType>(BaseEntity entity, string key, int storeId = 0, TPropType defaultValue = default);
}
