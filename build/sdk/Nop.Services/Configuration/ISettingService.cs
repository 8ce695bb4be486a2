using System;
using System.Linq.Expressions;
using System.Threading.Tasks;
using Nop.Core.Configuration;
using Nop.Core.Domain.Configuration;

namespace Nop.Services.Configuration;

public interface ISettingService
{
    Task<T> LoadSettingAsync<T>(int storeId = 0) where T : ISettings, new();

    Task SaveSettingAsync<T>(T settings, int storeId = 0) where T : ISettings, new();

    Task SaveSettingAsync<T, TPropType>(T settings, Expression<Func<T, TPropType>> keySelector, int storeId = 0, bool clearCache = true) where T : ISettings, new();

    Task DeleteSettingAsync<T>() where T : ISettings, new();

    Task<Setting> GetSettingAsync(string key, int storeId = 0, bool loadSharedValueIfNotFound = false);

    Task<T> GetSettingByKeyAsync<T>(string key, T defaultValue = default, int storeId = 0, bool loadSharedValueIfNotFound = false);

    Task SetSettingAsync<T>(string key, T value, int storeId = 0, bool clearCache = true);

    Task DeleteSettingAsync(Setting setting);
}
