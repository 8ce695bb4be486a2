using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Stores;
using Nop.Plugin.Misc.CustomerSegments.Models;

namespace Nop.Plugin.Misc.CustomerSegments.Factories;

/// <summary>
/// Prepares the shopper-facing offers widget
/// </summary>
public interface ISegmentOffersModelFactory
{
    Task<SegmentOffersModel> PrepareSegmentOffersModelAsync(Customer customer, Store store);
}
