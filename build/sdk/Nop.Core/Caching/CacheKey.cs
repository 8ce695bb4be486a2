namespace Nop.Core.Caching;

public class CacheKey
{
    public CacheKey(string key)
    {
        Key = key;
    }

    public string Key { get; protected set; }

    public int CacheTime { get; set; }
}
