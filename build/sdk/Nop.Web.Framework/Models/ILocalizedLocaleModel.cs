namespace Nop.Web.Framework.Models;

public interface ILocalizedLocaleModel
{
    int LanguageId { get; set; }
}
