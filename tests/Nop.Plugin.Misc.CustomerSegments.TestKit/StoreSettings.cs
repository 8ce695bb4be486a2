using System.Linq.Expressions;
using Nop.Core.Configuration;
using Nop.Core.Domain.Configuration;
using Nop.Services.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// nopCommerce's setting service as far as loading settings goes: the same settings for every store (those given,
/// the defaults of the others); what is saved is not kept, and no setting is found by its key
/// </summary>
public sealed class StoreSettings : ISettingService
{
    private readonly IReadOnlyList<ISettings> _settings;

    public StoreSettings(params ISettings[] settings)
    {
        _settings = settings;
    }

    public Task<T> LoadSettingAsync<T>(int storeId = 0) where T : ISettings, new() =>
        Task.FromResult(_settings.OfType<T>().FirstOrDefault() ?? new T());

    public Task SaveSettingAsync<T>(T settings, int storeId = 0) where T : ISettings, new() => Task.CompletedTask;

    public Task SaveSettingAsync<T, TPropType>(T settings, Expression<Func<T, TPropType>> keySelector, int storeId = 0, bool clearCache = true)
        where T : ISettings, new() => Task.CompletedTask;

    public Task DeleteSettingAsync<T>() where T : ISettings, new() => Task.CompletedTask;

    public Task<Setting> GetSettingAsync(string key, int storeId = 0, bool loadSharedValueIfNotFound = false) => Task.FromResult<Setting>(null);

    public Task<T> GetSettingByKeyAsync<T>(string key, T defaultValue = default, int storeId = 0, bool loadSharedValueIfNotFound = false) =>
        Task.FromResult(defaultValue);

    public Task SetSettingAsync<T>(string key, T value, int storeId = 0, bool clearCache = true) => Task.CompletedTask;

    public Task DeleteSettingAsync(Setting setting) => Task.CompletedTask;
}
