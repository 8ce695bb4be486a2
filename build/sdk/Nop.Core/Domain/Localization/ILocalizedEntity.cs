namespace Nop.Core.Domain.Localization;

public interface ILocalizedEntity
{

}
