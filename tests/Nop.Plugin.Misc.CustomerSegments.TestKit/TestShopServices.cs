using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// The plugin's services wired over a test shop's repositories, as nopCommerce's container would wire them
/// </summary>
public static class TestShopServices
{
    /// <summary>
    /// The real rule query builder over the shop (the plugin's default settings and nopCommerce's default shopping
    /// cart settings unless given; <paramref name="settingService"/>, when given, holds the settings of each store)
    /// </summary>
    public static SegmentRuleQueryBuilder NewRuleQueryBuilder(this TestShop shop, CustomerSegmentsSettings settings = null, TimeZoneInfo storeTimeZone = null,
        ShoppingCartSettings shoppingCartSettings = null, Nop.Services.Configuration.ISettingService settingService = null) =>
        new(settings ?? new CustomerSegmentsSettings(),
            shop.Repository<Address>(), shop.Repository<Customer>(), shop.Repository<CustomerCustomerRoleMapping>(), shop.Repository<CustomerRole>(),
            shop.Repository<GenericAttribute>(), shop.Repository<NewsLetterSubscription>(), shop.Repository<Order>(), shop.Repository<OrderItem>(),
            shop.Repository<ProductCategory>(), shop.Repository<ProductManufacturer>(), shop.Repository<Segment>(), shop.Repository<SegmentMembership>(),
            shop.Repository<ShoppingCartItem>(), shop.Repository<CustomerOrderStatistics>(), shop.Repository<CustomerDailyPurchases>(),
            shop.Repository<CustomerPurchasedProduct>(), new StoreTimeZoneDateTimeHelper(storeTimeZone),
            settingService ?? new StoreSettings(shoppingCartSettings ?? new ShoppingCartSettings()));

    /// <summary>
    /// The real service of the purchases per customer and day over the shop (the plugin's default settings unless given)
    /// </summary>
    public static CustomerDailyPurchasesService NewDailyPurchasesService(this TestShop shop, CustomerSegmentsSettings settings = null) =>
        new(settings ?? new CustomerSegmentsSettings(), shop.DataProvider, shop.Repository<Order>(), shop.Repository<CustomerDailyPurchases>(),
            new SegmentMembershipTransaction(shop.Repository<Segment>()));

    /// <summary>
    /// The real service of the products bought per customer over the shop (the plugin's default settings unless given)
    /// </summary>
    public static CustomerPurchasedProductService NewPurchasedProductService(this TestShop shop, CustomerSegmentsSettings settings = null) =>
        new(settings ?? new CustomerSegmentsSettings(), shop.DataProvider, shop.Repository<Order>(), shop.Repository<OrderItem>(),
            shop.Repository<CustomerPurchasedProduct>(), new SegmentMembershipTransaction(shop.Repository<Segment>()));

    /// <summary>
    /// The real service of the per-customer order statistics over the shop, with its purchases per day and products
    /// bought (nopCommerce's setting service given by the caller)
    /// </summary>
    public static CustomerOrderStatisticsService NewOrderStatisticsService(this TestShop shop, CustomerSegmentsSettings settings,
        Nop.Services.Configuration.ISettingService settingService) =>
        new(settings, shop.DataProvider, settingService, shop.Repository<Customer>(), shop.Repository<CustomerCustomerRoleMapping>(),
            shop.Repository<CustomerRole>(), shop.Repository<Order>(), shop.Repository<CustomerOrderStatistics>(),
            new SegmentMembershipTransaction(shop.Repository<Segment>()), shop.NewDailyPurchasesService(settings), shop.NewPurchasedProductService(settings));
}
