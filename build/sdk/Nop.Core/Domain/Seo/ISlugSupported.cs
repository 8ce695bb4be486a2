namespace Nop.Core.Domain.Seo;

public interface ISlugSupported
{
}
