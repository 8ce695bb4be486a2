using System;
using System.Threading.Tasks;

namespace Nop.Core.Caching;

public interface IShortTermCacheManager : ICacheKeyService
{
    Task<T> GetAsync<T>(Func<Task<T>> acquire, CacheKey cacheKey, params object[] cacheKeyParameters);

    void Remove(string cacheKey, params object[] cacheKeyParameters);

    void RemoveByPrefix(string prefix, params object[] prefixParameters);
}
