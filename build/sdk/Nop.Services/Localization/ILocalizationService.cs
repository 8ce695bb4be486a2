using System.Collections.Generic;
using System.Threading.Tasks;

namespace Nop.Services.Localization;

public interface ILocalizationService
{
    Task<string> GetResourceAsync(string resourceKey);

    Task AddOrUpdateLocaleResourceAsync(IDictionary<string, string> resources, int? languageId = null);

    Task DeleteLocaleResourcesAsync(string resourceNamePrefix, int? languageId = null);
}
