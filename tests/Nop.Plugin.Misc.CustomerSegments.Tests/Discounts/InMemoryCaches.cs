using Nop.Core.Caching;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

/// <summary>
/// nopCommerce's static cache, reduced to a dictionary: keys are formatted with their parameters as nopCommerce does;
/// safe for the parallel requests of a test, as nopCommerce's is
/// </summary>
public class InMemoryStaticCacheManager : IStaticCacheManager
{
    public Dictionary<string, object> Entries { get; } = new(StringComparer.OrdinalIgnoreCase);

    public CacheKey PrepareKey(CacheKey cacheKey, params object[] cacheKeyParameters) =>
        new(string.Format(cacheKey.Key, cacheKeyParameters)) { CacheTime = cacheKey.CacheTime };

    public CacheKey PrepareKeyForDefaultCache(CacheKey cacheKey, params object[] cacheKeyParameters) => PrepareKey(cacheKey, cacheKeyParameters);

    public async Task<T> GetAsync<T>(CacheKey key, Func<Task<T>> acquire)
    {
        lock (Entries)
        {
            if (Entries.TryGetValue(key.Key, out var value))
                return (T)value;
        }

        var data = await acquire();
        lock (Entries)
            Entries[key.Key] = data;

        return data;
    }

    public Task<T> GetAsync<T>(CacheKey key, Func<T> acquire) => GetAsync(key, () => Task.FromResult(acquire()));

    public Task<T> GetAsync<T>(CacheKey key, T defaultValue = default)
    {
        lock (Entries)
            return Task.FromResult(Entries.TryGetValue(key.Key, out var value) ? (T)value : defaultValue);
    }

    public Task<object> GetAsync(CacheKey key)
    {
        lock (Entries)
            return Task.FromResult(Entries.GetValueOrDefault(key.Key));
    }

    public Task RemoveAsync(CacheKey cacheKey, params object[] cacheKeyParameters)
    {
        lock (Entries)
            Entries.Remove(PrepareKey(cacheKey, cacheKeyParameters).Key);

        return Task.CompletedTask;
    }

    public Task SetAsync<T>(CacheKey key, T data)
    {
        lock (Entries)
            Entries[key.Key] = data;

        return Task.CompletedTask;
    }

    public Task RemoveByPrefixAsync(string prefix, params object[] prefixParameters)
    {
        var formatted = string.Format(prefix, prefixParameters);
        lock (Entries)
        {
            foreach (var key in Entries.Keys.Where(key => key.StartsWith(formatted, StringComparison.OrdinalIgnoreCase)).ToList())
                Entries.Remove(key);
        }

        return Task.CompletedTask;
    }

    public Task ClearAsync()
    {
        lock (Entries)
            Entries.Clear();

        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// nopCommerce's per-request cache: one instance is one request
/// </summary>
public class InMemoryShortTermCacheManager : IShortTermCacheManager
{
    public Dictionary<string, object> Entries { get; } = new(StringComparer.OrdinalIgnoreCase);

    public CacheKey PrepareKey(CacheKey cacheKey, params object[] cacheKeyParameters) =>
        new(string.Format(cacheKey.Key, cacheKeyParameters));

    public CacheKey PrepareKeyForDefaultCache(CacheKey cacheKey, params object[] cacheKeyParameters) => PrepareKey(cacheKey, cacheKeyParameters);

    public async Task<T> GetAsync<T>(Func<Task<T>> acquire, CacheKey cacheKey, params object[] cacheKeyParameters)
    {
        var key = PrepareKey(cacheKey, cacheKeyParameters).Key;
        if (Entries.TryGetValue(key, out var value))
            return (T)value;

        var data = await acquire();
        Entries[key] = data;

        return data;
    }

    public void Remove(string cacheKey, params object[] cacheKeyParameters) => Entries.Remove(string.Format(cacheKey, cacheKeyParameters));

    public void RemoveByPrefix(string prefix, params object[] prefixParameters)
    {
        var formatted = string.Format(prefix, prefixParameters);
        foreach (var key in Entries.Keys.Where(key => key.StartsWith(formatted, StringComparison.OrdinalIgnoreCase)).ToList())
            Entries.Remove(key);
    }
}
