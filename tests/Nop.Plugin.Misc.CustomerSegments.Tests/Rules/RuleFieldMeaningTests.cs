using Moq;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Services.Configuration;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// Fields mean what nopCommerce means by them: a customer is exempt from tax by his own flag or by an active role
/// exempt from tax (TaxService.IsTaxExemptAsync), and when carts are shared between stores every store sees the
/// customer's whole cart and wishlist (ShoppingCartService.GetShoppingCartAsync)
/// </summary>
public class RuleFieldMeaningTests : RuleQueryShapeTestBase
{
    private const int StoreId = 1;
    private const int OtherStoreId = 2;

    public RuleFieldMeaningTests(DatabaseEngine engine) : base(engine)
    {
    }

    [OneTimeSetUp]
    public async Task CreateCustomersAsync()
    {
        var exemptRole = new CustomerRole { Name = "Exempt", SystemName = "Exempt", Active = true, TaxExempt = true };
        var inactiveExemptRole = new CustomerRole { Name = "Old exempt", SystemName = "OldExempt", Active = false, TaxExempt = true };
        var plainRole = new CustomerRole { Name = "Plain", SystemName = "Plain", Active = true };
        await Repository<CustomerRole>().InsertAsync([exemptRole, inactiveExemptRole, plainRole], false);

        var customers = new (string Name, bool IsTaxExempt, CustomerRole Role)[]
        {
            ("exempt", true, null),
            ("in an exempt role", false, exemptRole),
            ("in an inactive exempt role", false, inactiveExemptRole),
            ("in a plain role", false, plainRole),
            ("cart in the other store", false, null),
            ("wishlist in the other store", false, null),
            ("nothing", false, null)
        };
        foreach (var (name, isTaxExempt, role) in customers)
        {
            var customer = new Customer
            {
                CustomerGuid = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@example.com", Active = true, CreatedOnUtc = Now.AddYears(-1),
                LastActivityDateUtc = Now.AddDays(-1), IsTaxExempt = isTaxExempt
            };
            await Repository<Customer>().InsertAsync(customer, false);
            Ids[name] = customer.Id;
            if (role != null)
                await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id }, false);
        }

        var updated = Now.AddDays(-60);
        await Repository<ShoppingCartItem>().InsertAsync(
        [
            new ShoppingCartItem
            {
                CustomerId = Ids["cart in the other store"], ProductId = 1, ShoppingCartTypeId = (int)ShoppingCartType.ShoppingCart,
                StoreId = OtherStoreId, Quantity = 1, CreatedOnUtc = updated, UpdatedOnUtc = updated
            },
            new ShoppingCartItem
            {
                CustomerId = Ids["wishlist in the other store"], ProductId = 1, ShoppingCartTypeId = (int)ShoppingCartType.Wishlist,
                StoreId = OtherStoreId, Quantity = 1, CreatedOnUtc = updated, UpdatedOnUtc = updated
            }
        ], false);
    }

    private async Task<string[]> SelectAsync(RuleCondition condition, int storeId, ShoppingCartSettings shoppingCartSettings = null,
        ISettingService settingService = null)
    {
        var builder = Shop.NewRuleQueryBuilder(shoppingCartSettings: shoppingCartSettings, settingService: settingService);
        var ids = await (await builder.BuildMatchingCustomerIdsQueryAsync(Rule(GroupMatch.All, false, condition), storeId, Now)).ToListAsync();
        return Names(ids);
    }

    [Test]
    public async Task AnActiveRoleExemptFromTaxMakesItsCustomersTaxExempt()
    {
        Assert.That(await SelectAsync(Condition(RuleFields.TaxExempt, Equal, null, true), 0),
            Is.EqualTo(new[] { "exempt", "in an exempt role" }));
        Assert.That(await SelectAsync(Condition(RuleFields.TaxExempt, Equal, null, false), 0),
            Is.EqualTo(new[] { "cart in the other store", "in a plain role", "in an inactive exempt role", "nothing", "wishlist in the other store" }));
    }

    [Test]
    public async Task ACartSharedBetweenStoresIsTheCartOfEveryStore()
    {
        var shared = new ShoppingCartSettings { CartsSharedBetweenStores = true };
        var abandoned = new RuleCondition { Field = RuleFields.AbandonedCart, Operator = Equal, PeriodDays = 30, Values = Condition(RuleFields.AbandonedCart, Equal, null, true).Values };
        var wishlist = Condition(RuleFields.WishlistNotEmpty, Equal, null, true);

        Assert.That(await SelectAsync(abandoned, StoreId), Is.Empty, "carts of their own store only");
        Assert.That(await SelectAsync(wishlist, StoreId), Is.Empty, "wishlists of their own store only");
        Assert.That(await SelectAsync(abandoned, StoreId, shared), Is.EqualTo(new[] { "cart in the other store" }));
        Assert.That(await SelectAsync(wishlist, StoreId, shared), Is.EqualTo(new[] { "wishlist in the other store" }));
        Assert.That(await SelectAsync(abandoned, OtherStoreId, shared), Is.EqualTo(new[] { "cart in the other store" }));
    }

    [Test]
    public async Task ASegmentSharesCartsAsItsOwnStoreDoes()
    {
        //nopCommerce's shopping cart settings page lets a store override "carts shared between stores"; the settings a
        //request gets are its own store's, and a segment may be evaluated in another store's request (an order event
        //there, the scheduled task)
        var settingService = new Mock<ISettingService>();
        settingService.Setup(service => service.LoadSettingAsync<ShoppingCartSettings>(It.IsAny<int>()))
            .ReturnsAsync((int storeId) => new ShoppingCartSettings { CartsSharedBetweenStores = storeId == StoreId });
        var requestOfTheOtherStore = new ShoppingCartSettings { CartsSharedBetweenStores = false };
        var abandoned = new RuleCondition { Field = RuleFields.AbandonedCart, Operator = Equal, PeriodDays = 30, Values = Condition(RuleFields.AbandonedCart, Equal, null, true).Values };
        var wishlist = Condition(RuleFields.WishlistNotEmpty, Equal, null, true);

        Assert.That(await SelectAsync(abandoned, StoreId, requestOfTheOtherStore, settingService.Object), Is.EqualTo(new[] { "cart in the other store" }));
        Assert.That(await SelectAsync(wishlist, StoreId, requestOfTheOtherStore, settingService.Object), Is.EqualTo(new[] { "wishlist in the other store" }));
        Assert.That(await SelectAsync(abandoned, OtherStoreId, requestOfTheOtherStore, settingService.Object), Is.EqualTo(new[] { "cart in the other store" }));
    }
}
