using Moq;
using Nop.Core.Domain.Configuration;
using Nop.Services.Configuration;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Discounts;

/// <summary>
/// nopCommerce's setting service over a dictionary of saved settings (by key, any store), as the discount
/// requirement's configuration is read, saved and deleted
/// </summary>
public static class SavedSettingsMock
{
    public static Mock<ISettingService> Over(IDictionary<string, string> saved)
    {
        var settingService = new Mock<ISettingService>();
        settingService.Setup(s => s.GetSettingByKeyAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<int>(), It.IsAny<bool>()))
            .ReturnsAsync((string key, string defaultValue, int _, bool _) => saved.TryGetValue(key, out var value) ? value : defaultValue);
        settingService.Setup(s => s.SetSettingAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<int>(), It.IsAny<bool>()))
            .Callback((string key, string value, int _, bool _) => saved[key] = value)
            .Returns(Task.CompletedTask);
        settingService.Setup(s => s.GetSettingAsync(It.IsAny<string>(), It.IsAny<int>(), It.IsAny<bool>()))
            .ReturnsAsync((string key, int _, bool _) => saved.TryGetValue(key, out var value) ? new Setting { Name = key, Value = value } : null);
        settingService.Setup(s => s.DeleteSettingAsync(It.IsAny<Setting>()))
            .Callback((Setting setting) => saved.Remove(setting.Name))
            .Returns(Task.CompletedTask);

        return settingService;
    }
}
