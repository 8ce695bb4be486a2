using System.Collections.Generic;
using System.Threading.Tasks;
using Nop.Core.Domain.Localization;

namespace Nop.Services.Localization;

public interface ILanguageService
{
    Task<IList<Language>> GetAllLanguagesAsync(bool showHidden = false, int storeId = 0);
}
