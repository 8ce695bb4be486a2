namespace Nop.Web.Framework.Models;

public interface ILocalizedLocaleModel
{
}
