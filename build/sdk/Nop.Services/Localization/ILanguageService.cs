namespace Nop.Services.Localization;

public interface ILanguageService
{
}
