using System.Threading.Tasks;

namespace Nop.Services.Catalog;

public interface IPriceFormatter
{
    Task<string> FormatPriceAsync(decimal price, bool showCurrency, bool showTax);
}
