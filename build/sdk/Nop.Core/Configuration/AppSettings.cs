using System;
using System.Collections.Generic;
using System.Linq;

namespace Nop.Core.Configuration;

/// <summary>
/// Stand-in that keeps the configurations by type, as the application's settings do at run time
/// </summary>
public class AppSettings
{
    protected readonly Dictionary<Type, IConfig> _configurations;

    public AppSettings(IList<IConfig> configurations = null)
    {
        _configurations = (configurations ?? []).ToDictionary(config => config.GetType());
    }

    public virtual TConfig Get<TConfig>() where TConfig : class, IConfig =>
        _configurations.TryGetValue(typeof(TConfig), out var config) && config is TConfig typed
            ? typed
            : throw new InvalidOperationException($"No configuration of type {typeof(TConfig)}");
}
