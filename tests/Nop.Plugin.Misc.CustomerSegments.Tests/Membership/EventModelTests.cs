using System.Text;
using LinqToDB;
using Microsoft.AspNetCore.Http;
using Moq;
using Nop.Core;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Core.Domain.Payments;
using Nop.Core.Domain.Shipping;
using Nop.Core.Events;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Events;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.Tests.Rules;
using Nop.Services.Logging;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;
using static Nop.Plugin.Misc.CustomerSegments.Tests.Membership.RuleJson;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Membership;

/// <summary>
/// A model-based random test of the event consumers: nopCommerce operations (checkouts, payments, refunds, order edits,
/// customers, roles, addresses, newsletter, carts, registrations and logins), each written to the database and
/// published as nopCommerce 4.90.3 publishes it, some inside one request and some outside; every few operations a quiet
/// full rebuild must change nothing, and neither must one over statistics recomputed from the orders: the events alone
/// kept every segment as its rule selects. Rules read only data the operations change and whose answer does not move
/// while the test runs (no "in the last n days" of a date, no RFM scores, which only the scheduled rebuild ranks);
/// periods of purchases stay an hour or more away from every order and cart item.
/// </summary>
public class EventModelTests : MembershipTestBase
{
    public const int Operations = 60;
    public const int CheckEvery = 20;
    public const int RandomSegments = 6;

    private static readonly string[] _randomRuleFields =
    [
        RuleFields.Gender, RuleFields.Company, RuleFields.BirthMonth, RuleFields.HasVatNumber, RuleFields.CustomerAttributeValues,
        RuleFields.CustomerAttributeText, RuleFields.GenericAttribute, RuleFields.BillingCountry, RuleFields.BillingStateProvince,
        RuleFields.BillingCity, RuleFields.BillingZipPostalCode, RuleFields.ShippingCountry, RuleFields.ShippingCity, RuleFields.OrderCount,
        RuleFields.TotalSpent, RuleFields.AverageOrderValue, RuleFields.FirstOrderDate, RuleFields.LastOrderDate, RuleFields.OrderCountInPeriod,
        RuleFields.SpentInPeriod, RuleFields.BoughtProducts, RuleFields.BoughtCategories, RuleFields.BoughtManufacturers,
        RuleFields.RefundedOrderCount, RuleFields.CancelledOrderCount, RuleFields.AbandonedCart, RuleFields.WishlistNotEmpty, RuleFields.Active,
        RuleFields.NewsletterSubscribed, RuleFields.CustomerRoles, RuleFields.Affiliate, RuleFields.TaxExempt
    ];

    private readonly List<string> _window = [];
    private Random _random;
    private CustomerSegmentsSettings _settings;
    private SegmentRebuildService _rebuild;

    private SegmentReevaluationService _reevaluation;
    private SegmentPendingCustomerService _pending;
    private StaticSegmentService _static;
    private object[] _consumers;
    private DateTime _now;

    private readonly List<Customer> _customers = [];
    private readonly List<Order> _orders = [];
    private readonly List<OrderItem> _items = [];
    private readonly List<Address> _addresses = [];
    private readonly List<CustomerAddressMapping> _addressBook = [];
    private readonly List<ShoppingCartItem> _cart = [];
    private readonly List<NewsLetterSubscription> _subscriptions = [];
    private readonly List<GenericAttribute> _attributes = [];
    private readonly HashSet<(int CustomerId, int RoleId)> _roleMappings = [];
    private readonly List<Segment> _segments = [];
    private Segment _manual;
    private CustomerRole _registered, _guests, _administrators, _vip, _resellers;

    public EventModelTests(DatabaseEngine engine) : base(engine)
    {
    }

    #region nopCommerce's writes and events

    private Task RaiseAsync<T>(T eventMessage) => PublishToConsumersAsync(eventMessage, _consumers);

    private async Task InsertAsync<T>(T entity) where T : BaseEntity
    {
        await Repository<T>().InsertAsync(entity, false);
        await RaiseAsync(new EntityInsertedEvent<T>(entity));
    }

    private async Task UpdateAsync<T>(T entity) where T : BaseEntity
    {
        await Repository<T>().UpdateAsync(entity, false);
        await RaiseAsync(new EntityUpdatedEvent<T>(entity));
    }

    /// <summary>
    /// EntityRepository.DeleteAsync: a soft-deleted entity (orders, customers) is flagged and updated, then announced deleted
    /// </summary>
    private async Task DeleteAsync<T>(T entity) where T : BaseEntity
    {
        if (entity is ISoftDeletedEntity softDeleted)
        {
            softDeleted.Deleted = true;
            await Repository<T>().UpdateAsync(entity, false);
        }
        else
            await Repository<T>().DeleteAsync(entity, false);

        await RaiseAsync(new EntityDeletedEvent<T>(entity));
    }

    private async Task AddRoleAsync(Customer customer, CustomerRole role)
    {
        if (!_roleMappings.Add((customer.Id, role.Id)))
            return;

        await InsertAsync(new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id });
    }

    private async Task RemoveRoleAsync(Customer customer, CustomerRole role)
    {
        if (!_roleMappings.Remove((customer.Id, role.Id)))
            return;

        var customerId = customer.Id;
        var roleId = role.Id;
        await Repository<CustomerCustomerRoleMapping>().DeleteAsync(mapping => mapping.CustomerId == customerId && mapping.CustomerRoleId == roleId);
        await RaiseAsync(new EntityDeletedEvent<CustomerCustomerRoleMapping>(new CustomerCustomerRoleMapping { CustomerId = customerId, CustomerRoleId = roleId }));
    }

    /// <summary>
    /// OrderProcessingService.SetOrderStatusAsync
    /// </summary>
    private async Task SetOrderStatusAsync(Order order, OrderStatus status)
    {
        var previous = order.OrderStatus;
        if (previous == status)
            return;

        order.OrderStatusId = (int)status;
        await UpdateAsync(order);
        await RaiseAsync(new OrderStatusChangedEvent(order, previous));
    }

    /// <summary>
    /// OrderProcessingService.CheckOrderStatusAsync (CheckAndSaveOrderStatusAsync without a save needed)
    /// </summary>
    private async Task CheckOrderStatusAsync(Order order)
    {
        var completed = false;
        var saved = true;
        if (order.PaymentStatus == PaymentStatus.Paid)
        {
            if (!order.PaidDateUtc.HasValue)
            {
                order.PaidDateUtc = DateTime.UtcNow;
                saved = false;
            }

            completed = order.ShippingStatus == ShippingStatus.ShippingNotRequired;
        }

        switch (order.OrderStatus)
        {
            case OrderStatus.Pending:
                if (order.PaymentStatus is PaymentStatus.Authorized or PaymentStatus.Paid)
                {
                    await SetOrderStatusAsync(order, OrderStatus.Processing);
                    saved = true;
                }

                break;
            case OrderStatus.Cancelled:
            case OrderStatus.Complete:
                if (!saved)
                    await UpdateAsync(order);
                return;
        }

        if (completed)
        {
            await SetOrderStatusAsync(order, OrderStatus.Complete);
            saved = true;
        }

        if (!saved)
            await UpdateAsync(order);
    }

    /// <summary>
    /// ShoppingCartService.AddToCartAsync: the same product of the same type and store adds to the quantity
    /// </summary>
    private async Task AddToCartAsync(Customer customer, int productId, ShoppingCartType type, int storeId, int quantity = 1)
    {
        var existing = _cart.FirstOrDefault(item => item.CustomerId == customer.Id && item.ProductId == productId && item.ShoppingCartType == type && item.StoreId == storeId);
        if (existing != null)
        {
            existing.Quantity += quantity;
            existing.UpdatedOnUtc = DateTime.UtcNow;
            await UpdateAsync(existing);
            return;
        }

        var item = new ShoppingCartItem
        {
            CustomerId = customer.Id, ProductId = productId, ShoppingCartType = type, StoreId = storeId, Quantity = quantity,
            CreatedOnUtc = DateTime.UtcNow, UpdatedOnUtc = DateTime.UtcNow
        };
        _cart.Add(item);
        await InsertAsync(item);
        if (!customer.HasShoppingCartItems)
        {
            customer.HasShoppingCartItems = true;
            await UpdateAsync(customer);
        }
    }

    /// <summary>
    /// ShoppingCartService.DeleteShoppingCartItemAsync
    /// </summary>
    private async Task DeleteCartItemAsync(ShoppingCartItem item)
    {
        var customer = _customers.Single(c => c.Id == item.CustomerId);
        _cart.Remove(item);
        await DeleteAsync(item);
        var hasItems = _cart.Any(other => other.CustomerId == customer.Id);
        if (hasItems != customer.HasShoppingCartItems)
        {
            customer.HasShoppingCartItems = hasItems;
            await UpdateAsync(customer);
        }
    }

    /// <summary>
    /// GenericAttributeService.SaveAttributeAsync: an empty value deletes the attribute
    /// </summary>
    private async Task SaveAttributeAsync(Customer customer, string key, string value)
    {
        var attribute = _attributes.FirstOrDefault(a => a.EntityId == customer.Id && a.Key == key && a.StoreId == 0);
        if (attribute != null)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                _attributes.Remove(attribute);
                await DeleteAsync(attribute);
            }
            else
            {
                attribute.Value = value;
                attribute.CreatedOrUpdatedDateUTC = DateTime.UtcNow;
                await UpdateAsync(attribute);
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(value))
            return;

        attribute = new GenericAttribute { KeyGroup = nameof(Customer), EntityId = customer.Id, Key = key, Value = value, StoreId = 0, CreatedOrUpdatedDateUTC = DateTime.UtcNow };
        _attributes.Add(attribute);
        await InsertAsync(attribute);
    }

    /// <summary>
    /// NewsLetterSubscriptionService.UpdateNewsLetterSubscriptionAsync: the entity's event, then EmailUnsubscribedEvent
    /// with the subscription as it was when it was active and is no longer, or its email changed
    /// </summary>
    private async Task UpdateSubscriptionAsync(NewsLetterSubscription subscription, NewsLetterSubscription original)
    {
        await UpdateAsync(subscription);
        if (original.Active && (!subscription.Active || !string.Equals(original.Email, subscription.Email, StringComparison.Ordinal)))
            await RaiseAsync(new EmailUnsubscribedEvent(original));
    }

    private static NewsLetterSubscription Copy(NewsLetterSubscription subscription) => new()
    {
        Id = subscription.Id, NewsLetterSubscriptionGuid = subscription.NewsLetterSubscriptionGuid, Email = subscription.Email, Active = subscription.Active,
        StoreId = subscription.StoreId, TypeId = subscription.TypeId, CreatedOnUtc = subscription.CreatedOnUtc
    };

    #endregion

    #region The shop

    private T Pick<T>(IReadOnlyList<T> list) => list[_random.Next(list.Count)];

    private DateTime DaysAgo(int maxDays) => _now.AddDays(-_random.Next(0, maxDays)).AddHours(-_random.Next(1, 23));

    private Address NewAddress() => new()
    {
        City = _random.Next(6) == 0 ? null : Pick(RandomShop.Cities),
        ZipPostalCode = Pick(RandomShop.Zips),
        CountryId = _random.Next(5) == 0 ? null : _random.Next(1, 4),
        StateProvinceId = _random.Next(3) == 0 ? null : _random.Next(1, 5),
        CreatedOnUtc = _now
    };

    private string RandomAttributesXml()
    {
        if (_random.Next(3) == 0)
            return null;

        var values = RandomShop.SelectAttributeValueIds.Where(_ => _random.Next(2) == 0).ToList();
        var xml = "<Attributes>";
        if (values.Count > 0)
            xml += $"<CustomerAttribute ID=\"{RandomShop.SelectAttributeId}\">" + string.Concat(values.Select(v => $"<CustomerAttributeValue><Value>{v}</Value></CustomerAttributeValue>")) + "</CustomerAttribute>";
        if (_random.Next(2) == 0)
            xml += $"<CustomerAttribute ID=\"{RandomShop.TextAttributeId}\"><CustomerAttributeValue><Value>{System.Security.SecurityElement.Escape(Pick(RandomShop.AttributeTexts))}</Value></CustomerAttributeValue></CustomerAttribute>";
        return xml + "</Attributes>";
    }

    private async Task<Address> AddAddressToBookAsync(Customer customer, bool publish)
    {
        var address = NewAddress();
        _addresses.Add(address);
        var mapping = new CustomerAddressMapping { CustomerId = customer.Id, AddressId = 0 };
        if (publish)
        {
            await InsertAsync(address);
            mapping.AddressId = address.Id;
            await InsertAsync(mapping);
        }
        else
        {
            await Repository<Address>().InsertAsync(address, false);
            mapping.AddressId = address.Id;
            await Repository<CustomerAddressMapping>().InsertAsync(mapping, false);
        }

        _addressBook.Add(mapping);
        return address;
    }

    private Order NewModelOrder(Customer customer, int storeId, DateTime createdOnUtc, PaymentStatus paymentStatus, OrderStatus orderStatus) => new()
    {
        OrderGuid = Guid.NewGuid(),
        CustomerId = customer.Id,
        StoreId = storeId,
        OrderTotal = _random.Next(5, 250) + (_random.Next(2) == 0 ? 0.5m : 0m),
        PaymentStatusId = (int)paymentStatus,
        OrderStatusId = (int)orderStatus,
        ShippingStatusId = (int)(_random.Next(2) == 0 ? ShippingStatus.ShippingNotRequired : ShippingStatus.NotYetShipped),
        CreatedOnUtc = createdOnUtc,
        CustomOrderNumber = string.Empty,
        CustomerCurrencyCode = "USD",
        CurrencyRate = 1
    };

    private async Task<Customer> NewCustomerAsync(int index)
    {
        var customer = new Customer
        {
            CustomerGuid = Guid.NewGuid(),
            Email = $"User{index}@Example.com",
            Username = $"user{index}",
            Company = _random.Next(3) == 0 ? null : Pick(RandomShop.Companies),
            Gender = Pick(new[] { "M", "F", "N", null }),
            DateOfBirth = _random.Next(5) == 0 ? null : _now.Date.AddDays(-_random.Next(15 * 365, 80 * 365)),
            VatNumber = _random.Next(4) == 0 ? "FR123" : null,
            CustomCustomerAttributesXML = RandomAttributesXml(),
            Active = _random.Next(8) != 0,
            IsTaxExempt = _random.Next(8) == 0,
            RegisteredInStoreId = 1,
            AffiliateId = _random.Next(3),
            CreatedOnUtc = _now.AddDays(-400),
            LastActivityDateUtc = _now.AddDays(-1)
        };
        await Repository<Customer>().InsertAsync(customer, false);
        _customers.Add(customer);
        return customer;
    }

    /// <summary>
    /// Registered customers with addresses, orders of the last 500 days, carts, subscriptions and attributes, and a few
    /// guests with carts; written without events, then the segments and a first full rebuild (which fills the statistics)
    /// </summary>
    private async Task CreateShopAsync()
    {
        _now = DateTime.UtcNow;
        _registered = await SystemRoleAsync(NopCustomerDefaults.RegisteredRoleName);
        _guests = await SystemRoleAsync(NopCustomerDefaults.GuestsRoleName);
        _administrators = await SystemRoleAsync(NopCustomerDefaults.AdministratorsRoleName);
        _vip = new CustomerRole { Name = "VIP", Active = true, TaxExempt = true };
        await Repository<CustomerRole>().InsertAsync(_vip, false);
        _resellers = new CustomerRole { Name = "Resellers", Active = true };
        await Repository<CustomerRole>().InsertAsync(_resellers, false);

        await RandomRuleRowsAsync();
        for (var product = 1; product <= 8; product++)
        {
            await Repository<ProductCategory>().InsertAsync(new ProductCategory { ProductId = product, CategoryId = product % 3 + 1 }, false);
            if (product % 2 == 0)
                await Repository<ProductCategory>().InsertAsync(new ProductCategory { ProductId = product, CategoryId = 4 }, false);
            if (product != 8)
                await Repository<ProductManufacturer>().InsertAsync(new ProductManufacturer { ProductId = product, ManufacturerId = product % 2 + 1 }, false);
        }

        for (var i = 0; i < 14; i++)
        {
            var customer = await NewCustomerAsync(i);
            foreach (var role in new[] { _registered, _vip, _resellers }.Where(role => role == _registered ? _random.Next(10) != 0 : _random.Next(3) == 0))
            {
                _roleMappings.Add((customer.Id, role.Id));
                await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = customer.Id, CustomerRoleId = role.Id }, false);
            }

            if (_random.Next(5) != 0)
                customer.BillingAddressId = (await AddAddressToBookAsync(customer, false)).Id;
            if (_random.Next(3) != 0)
                customer.ShippingAddressId = _random.Next(3) == 0 ? customer.BillingAddressId : (await AddAddressToBookAsync(customer, false)).Id;

            for (var orders = _random.Next(0, 5); orders > 0; orders--)
            {
                var order = NewModelOrder(customer, _random.Next(4) == 0 ? 2 : 1, DaysAgo(500),
                    Pick(new[] { PaymentStatus.Paid, PaymentStatus.Paid, PaymentStatus.Pending, PaymentStatus.Refunded, PaymentStatus.PartiallyRefunded }),
                    Pick(new[] { OrderStatus.Complete, OrderStatus.Complete, OrderStatus.Processing, OrderStatus.Cancelled }));
                await Repository<Order>().InsertAsync(order, false);
                _orders.Add(order);
                for (var items = _random.Next(1, 4); items > 0; items--)
                {
                    var item = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = _random.Next(1, 9), Quantity = 1 };
                    await Repository<OrderItem>().InsertAsync(item, false);
                    _items.Add(item);
                }
            }

            for (var items = _random.Next(3) == 0 ? _random.Next(1, 3) : 0; items > 0; items--)
            {
                var updated = DaysAgo(40);
                var item = new ShoppingCartItem
                {
                    CustomerId = customer.Id, ProductId = _random.Next(1, 9), StoreId = _random.Next(1, 3), Quantity = 1,
                    ShoppingCartType = _random.Next(3) == 0 ? ShoppingCartType.Wishlist : ShoppingCartType.ShoppingCart,
                    CreatedOnUtc = updated, UpdatedOnUtc = updated
                };
                await Repository<ShoppingCartItem>().InsertAsync(item, false);
                _cart.Add(item);
                customer.HasShoppingCartItems = true;
            }

            if (_random.Next(3) == 0)
            {
                var subscription = new NewsLetterSubscription
                {
                    NewsLetterSubscriptionGuid = Guid.NewGuid(), Email = customer.Email.ToLowerInvariant(), Active = _random.Next(4) != 0,
                    StoreId = _random.Next(1, 3), CreatedOnUtc = _now
                };
                await Repository<NewsLetterSubscription>().InsertAsync(subscription, false);
                _subscriptions.Add(subscription);
            }

            if (_random.Next(2) == 0)
            {
                var attribute = new GenericAttribute
                {
                    KeyGroup = nameof(Customer), EntityId = customer.Id, Key = Pick(RandomShop.GenericKeys), Value = Pick(RandomShop.GenericValues.Where(v => v != "").ToList()),
                    StoreId = 0, CreatedOrUpdatedDateUTC = _now
                };
                await Repository<GenericAttribute>().InsertAsync(attribute, false);
                _attributes.Add(attribute);
            }

            await Repository<Customer>().UpdateAsync(customer, false);
        }

        for (var i = 0; i < 2; i++)
            await NewGuestAsync(false);

        await CreateSegmentsAsync();
        await _rebuild.RebuildAllSegmentsAsync();
        Assert.That(_settings.OrderStatisticsKey, Is.EqualTo(CustomerOrderStatisticsService.SettingsKey(_settings)), "the purchase figures are current, as in a running shop");
    }

    private async Task<Segment> AddSegmentAsync(string name, SegmentRule rule, int storeId = 0, SegmentType type = SegmentType.Dynamic)
    {
        var segment = new Segment
        {
            Name = name,
            SegmentTypeId = (int)type,
            RuleJson = rule == null ? null : Serializer.Serialize(rule),
            RuleSchemaVersion = 1,
            StoreId = storeId,
            Active = true
        };
        await SegmentService.InsertSegmentAsync(segment);
        _segments.Add(segment);
        return segment;
    }

    private static SegmentRule All(params RuleNode[] nodes) => new() { Root = new RuleGroup { Match = GroupMatch.All, Children = [.. nodes] } };

    private async Task CreateSegmentsAsync()
    {
        var buyers = await AddSegmentAsync("Buyers", All(OrdersAtLeast(2)));
        var spenders = await AddSegmentAsync("Spenders", All(Condition(RuleFields.TotalSpent, GreaterThanOrEqual, 300)));
        await AddSegmentAsync("Average", All(Condition(RuleFields.AverageOrderValue, GreaterThanOrEqual, 100)));
        await AddSegmentAsync("Store 2 buyers", All(OrdersAtLeast(1)), storeId: 2);
        await AddSegmentAsync("Fans", All(Condition(RuleFields.BoughtProducts, AnyOf, 1, 2)));
        var recentFans = Condition(RuleFields.BoughtCategories, AnyOf, 4);
        recentFans.PeriodDays = 90;
        await AddSegmentAsync("Recent category 4", All(recentFans));
        var period = Condition(RuleFields.OrderCountInPeriod, GreaterThanOrEqual, 2);
        period.PeriodDays = 60;
        await AddSegmentAsync("Two in 60 days", All(period));
        await AddSegmentAsync("Refunded", All(Condition(RuleFields.RefundedOrderCount, GreaterThanOrEqual, 1)));
        await AddSegmentAsync("Cancelled", All(Condition(RuleFields.CancelledOrderCount, GreaterThanOrEqual, 1)));
        await AddSegmentAsync("VIP", All(HasRole(_vip.Id)));
        var subscribers = await AddSegmentAsync("Subscribers", All(Subscribed()));
        await AddSegmentAsync("Billing 1", All(BillingCountry(1)));
        await AddSegmentAsync("Shipping Paris", All(Condition(RuleFields.ShippingCity, Equal, "Paris")));
        await AddSegmentAsync("Acme", All(Company("Acme")));
        await AddSegmentAsync("Women", All(Condition(RuleFields.Gender, Equal, "F")));
        var abandoned = Condition(RuleFields.AbandonedCart, Equal, true);
        abandoned.PeriodDays = 7;
        await AddSegmentAsync("Abandoned", All(abandoned));
        await AddSegmentAsync("Wishlist", All(WishlistNotEmpty()));
        _manual = await AddSegmentAsync("Manual", null, type: SegmentType.Static);
        await AddSegmentAsync("Subscribed buyers", All(MemberOf(buyers.Id), MemberOf(subscribers.Id)));
        await AddSegmentAsync("Not spenders", All(Condition(RuleFields.SegmentMember, NotIn, spenders.Id), OrdersAtLeast(1)));
        await AddSegmentAsync("Manual buyers", All(MemberOf(_manual.Id), OrdersAtLeast(1)));

        var rules = new RandomRules(_random.Next(), Catalog, [_registered.Id, _guests.Id, _vip.Id, _resellers.Id]);
        for (var i = 0; i < RandomSegments; i++)
            await AddSegmentAsync($"Random {i}", new SegmentRule { Root = RandomGroup(rules, 1) }, storeId: _random.Next(4) == 0 ? 1 : 0);
    }

    private RuleGroup RandomGroup(RandomRules rules, int depth)
    {
        var group = new RuleGroup { Match = _random.Next(2) == 0 ? GroupMatch.All : GroupMatch.Any, Negate = _random.Next(5) == 0 };
        for (var i = _random.Next(1, 4); i > 0; i--)
        {
            if (depth < 3 && _random.Next(5) == 0)
            {
                group.Children.Add(RandomGroup(rules, depth + 1));
                continue;
            }

            var field = Catalog.GetField(Pick(_randomRuleFields));
            //dates compared with fixed days only: "in the last n days" moves with the clock
            var operators = field.Operators.Where(op => op is not (InLastDays or MoreThanDaysAgo)).ToList();
            group.Children.Add(rules.Condition(field, Pick(operators)));
        }

        return group;
    }

    #endregion

    #region Operations

    private IEnumerable<Customer> Living => _customers.Where(customer => !customer.Deleted);

    private IEnumerable<Customer> Registered => Living.Where(customer => customer.Email != null);

    private IEnumerable<Customer> Guests => Living.Where(customer => customer.Email == null);

    private List<Order> LiveOrders(Func<Order, bool> predicate) => _orders.Where(order => !order.Deleted && predicate(order)).ToList();

    private void Log(string operation) => _window.Add(operation);

    private async Task NewGuestAsync(bool publish)
    {
        var guest = new Customer { CustomerGuid = Guid.NewGuid(), Active = true, CreatedOnUtc = DateTime.UtcNow, LastActivityDateUtc = DateTime.UtcNow, RegisteredInStoreId = 1 };
        if (publish)
            await InsertAsync(guest);
        else
            await Repository<Customer>().InsertAsync(guest, false);
        _customers.Add(guest);
        if (publish)
            await AddRoleAsync(guest, _guests);
        else
        {
            _roleMappings.Add((guest.Id, _guests.Id));
            await Repository<CustomerCustomerRoleMapping>().InsertAsync(new CustomerCustomerRoleMapping { CustomerId = guest.Id, CustomerRoleId = _guests.Id }, false);
        }

        for (var items = _random.Next(1, 3); items > 0; items--)
        {
            if (publish)
                await AddToCartAsync(guest, _random.Next(1, 9), ShoppingCartType.ShoppingCart, 1);
            else
            {
                var item = new ShoppingCartItem
                {
                    CustomerId = guest.Id, ProductId = _random.Next(1, 9), StoreId = 1, Quantity = 1, ShoppingCartType = ShoppingCartType.ShoppingCart,
                    CreatedOnUtc = _now, UpdatedOnUtc = _now
                };
                await Repository<ShoppingCartItem>().InsertAsync(item, false);
                _cart.Add(item);
                guest.HasShoppingCartItems = true;
                await Repository<Customer>().UpdateAsync(guest, false);
            }
        }
    }

    /// <summary>
    /// OrderProcessingService.PlaceOrderAsync: the order inserted, updated with its number, its items inserted from the
    /// cart, the cart cleared (a bulk delete without events), OrderPlacedEvent, the status checked, OrderPaidEvent when paid
    /// </summary>
    private async Task PlaceOrderAsync(Customer customer)
    {
        var storeId = _random.Next(3) == 0 ? 2 : 1;
        if (!_cart.Any(item => item.CustomerId == customer.Id && item.StoreId == storeId && item.ShoppingCartType == ShoppingCartType.ShoppingCart))
        {
            for (var items = _random.Next(1, 4); items > 0; items--)
                await AddToCartAsync(customer, _random.Next(1, 9), ShoppingCartType.ShoppingCart, storeId);
        }

        var paymentStatus = Pick(new[] { PaymentStatus.Pending, PaymentStatus.Pending, PaymentStatus.Authorized, PaymentStatus.Paid });
        var order = NewModelOrder(customer, storeId, DateTime.UtcNow, paymentStatus, OrderStatus.Pending);
        var cart = _cart.Where(item => item.CustomerId == customer.Id && item.StoreId == storeId && item.ShoppingCartType == ShoppingCartType.ShoppingCart).ToList();
        Log($"  place order of customer {customer.Id} in store {storeId}: {paymentStatus}, {order.OrderTotal}, products {string.Join(",", cart.Select(item => item.ProductId))}");

        _orders.Add(order);
        await InsertAsync(order);
        order.CustomOrderNumber = order.Id.ToString();
        await UpdateAsync(order);
        foreach (var cartItem in cart)
        {
            var item = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = cartItem.ProductId, Quantity = cartItem.Quantity };
            _items.Add(item);
            await InsertAsync(item);
        }

        //ShoppingCartService.ClearShoppingCartAsync
        var ids = cart.Select(item => item.Id).ToList();
        await Repository<ShoppingCartItem>().DeleteAsync(item => ids.Contains(item.Id));
        _cart.RemoveAll(item => ids.Contains(item.Id));
        var hasItems = _cart.Any(item => item.CustomerId == customer.Id);
        if (hasItems != customer.HasShoppingCartItems)
        {
            customer.HasShoppingCartItems = hasItems;
            await UpdateAsync(customer);
        }

        await RaiseAsync(new OrderPlacedEvent(order));
        await CheckOrderStatusAsync(order);
        if (order.PaymentStatus == PaymentStatus.Paid)
            await RaiseAsync(new OrderPaidEvent(order));
    }

    private async Task RunOperationAsync()
    {
        var registered = Registered.ToList();
        var any = Living.ToList();
        switch (_random.Next(32))
        {
            case < 5:
            {
                var customer = _random.Next(8) == 0 && Guests.Any() ? Pick(Guests.ToList()) : Pick(registered);
                await PlaceOrderAsync(customer);
                break;
            }
            case 5:
            {
                //OrderProcessingService.MarkOrderAsPaidAsync
                var orders = LiveOrders(order => order.OrderStatus != OrderStatus.Cancelled && order.PaymentStatus is PaymentStatus.Pending or PaymentStatus.Authorized or PaymentStatus.PartiallyRefunded);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                Log($"  mark order {order.Id} (customer {order.CustomerId}) paid");
                order.PaymentStatus = PaymentStatus.Paid;
                order.PaidDateUtc = DateTime.UtcNow;
                await UpdateAsync(order);
                await CheckOrderStatusAsync(order);
                if (order.PaymentStatus == PaymentStatus.Paid)
                    await RaiseAsync(new OrderPaidEvent(order));
                break;
            }
            case 6:
            {
                //OrderProcessingService.RefundOfflineAsync / PartiallyRefundOfflineAsync
                var orders = LiveOrders(order => order.OrderStatus != OrderStatus.Cancelled && order.PaymentStatus is PaymentStatus.Paid or PaymentStatus.PartiallyRefunded);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                var full = order.PaymentStatus == PaymentStatus.Paid && _random.Next(2) == 0;
                var amount = full ? order.OrderTotal : Math.Min(order.OrderTotal - order.RefundedAmount, 1m + _random.Next(0, 20));
                order.RefundedAmount += amount;
                order.PaymentStatus = order.RefundedAmount == order.OrderTotal ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded;
                Log($"  refund {amount} of order {order.Id} (customer {order.CustomerId}): {order.PaymentStatus}");
                await UpdateAsync(order);
                await RaiseAsync(new OrderRefundedEvent(order, amount));
                await CheckOrderStatusAsync(order);
                break;
            }
            case 7:
            {
                //OrderProcessingService.VoidOfflineAsync
                var orders = LiveOrders(order => order.OrderStatus != OrderStatus.Cancelled && order.PaymentStatus == PaymentStatus.Authorized);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                Log($"  void order {order.Id} (customer {order.CustomerId})");
                order.PaymentStatus = PaymentStatus.Voided;
                await UpdateAsync(order);
                await RaiseAsync(new OrderVoidedEvent(order));
                await CheckOrderStatusAsync(order);
                break;
            }
            case 8:
            {
                //OrderProcessingService.CancelOrderAsync
                var orders = LiveOrders(order => order.OrderStatus != OrderStatus.Cancelled);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                Log($"  cancel order {order.Id} (customer {order.CustomerId})");
                await SetOrderStatusAsync(order, OrderStatus.Cancelled);
                break;
            }
            case 9:
            {
                //the admin's OrderController.ChangeOrderStatus: any status, then OrderStatusChangedEvent
                var orders = LiveOrders(_ => true);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                var previous = order.OrderStatus;
                order.OrderStatus = Pick(new[] { OrderStatus.Pending, OrderStatus.Processing, OrderStatus.Complete, OrderStatus.Cancelled });
                Log($"  admin sets order {order.Id} (customer {order.CustomerId}) status {previous} -> {order.OrderStatus}");
                await UpdateAsync(order);
                await RaiseAsync(new OrderStatusChangedEvent(order, previous));
                break;
            }
            case 10:
            {
                //OrderProcessingService.DeleteOrderAsync: soft-deleted by the repository
                var orders = LiveOrders(_ => true);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                Log($"  delete order {order.Id} (customer {order.CustomerId})");
                await DeleteAsync(order);
                break;
            }
            case 11:
            {
                //the admin's OrderController.DeleteOrderItem (order totals not updated automatically by default)
                var items = _items.Where(item => _orders.Any(order => order.Id == item.OrderId && !order.Deleted)).ToList();
                if (items.Count == 0)
                    goto default;
                var item = Pick(items);
                Log($"  admin deletes item {item.Id} (product {item.ProductId}) of order {item.OrderId} (customer {_orders.Single(o => o.Id == item.OrderId).CustomerId})");
                _items.Remove(item);
                await DeleteAsync(item);
                break;
            }
            case 12:
            {
                //the admin's OrderController.EditOrderTotals
                var orders = LiveOrders(_ => true);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                order.OrderTotal = _random.Next(5, 400) + (_random.Next(2) == 0 ? 0.25m : 0m);
                Log($"  admin edits order {order.Id} (customer {order.CustomerId}) total to {order.OrderTotal}");
                await UpdateAsync(order);
                break;
            }
            case 13:
            {
                //the admin's OrderController.AddProductToOrderDetails
                var orders = LiveOrders(_ => true);
                if (orders.Count == 0)
                    goto default;
                var order = Pick(orders);
                var item = new OrderItem { OrderItemGuid = Guid.NewGuid(), OrderId = order.Id, ProductId = _random.Next(1, 9), Quantity = 1 };
                Log($"  admin adds product {item.ProductId} to order {order.Id} (customer {order.CustomerId})");
                _items.Add(item);
                await InsertAsync(item);
                break;
            }
            case 14:
            case 15:
            {
                //the admin edits a customer (CustomerService.UpdateCustomerAsync)
                var customer = Pick(registered);
                switch (_random.Next(8))
                {
                    case 7:
                    {
                        //CustomerRegistrationService.SetEmailAsync: the customer updated, his active subscriptions copied to the new email, the old deactivated
                        var oldEmail = customer.Email;
                        customer.Email = $"User{_customers.Count + 200 + _random.Next(1000)}@Example.com";
                        Log($"  customer {customer.Id} email {oldEmail} -> {customer.Email}");
                        await UpdateAsync(customer);
                        foreach (var subscription in _subscriptions.Where(s => s.Active && string.Equals(s.Email, oldEmail, StringComparison.OrdinalIgnoreCase)).ToList())
                        {
                            var copy = new NewsLetterSubscription { NewsLetterSubscriptionGuid = Guid.NewGuid(), Email = customer.Email, Active = true, StoreId = subscription.StoreId, CreatedOnUtc = DateTime.UtcNow };
                            _subscriptions.Add(copy);
                            await InsertAsync(copy);
                            var original = Copy(subscription);
                            subscription.Active = false;
                            await UpdateSubscriptionAsync(subscription, original);
                        }

                        return;
                    }
                    case 0: customer.Company = _random.Next(3) == 0 ? null : Pick(RandomShop.Companies); break;
                    case 1: customer.Gender = Pick(new[] { "M", "F", "N", null }); break;
                    case 2: customer.DateOfBirth = _random.Next(5) == 0 ? null : _now.Date.AddDays(-_random.Next(15 * 365, 80 * 365)); break;
                    case 3: customer.Active = !customer.Active; break;
                    case 4: customer.AffiliateId = _random.Next(3); break;
                    case 5: customer.IsTaxExempt = !customer.IsTaxExempt; break;
                    default: customer.CustomCustomerAttributesXML = RandomAttributesXml(); break;
                }

                Log($"  admin edits customer {customer.Id}: company {customer.Company}, gender {customer.Gender}, born {customer.DateOfBirth:yyyy-MM-dd}, active {customer.Active}, affiliate {customer.AffiliateId}, tax exempt {customer.IsTaxExempt}");
                await UpdateAsync(customer);
                break;
            }
            case 16:
            case 29:
            case 30:
            {
                //CustomerService.AddCustomerRoleMappingAsync / RemoveCustomerRoleMappingAsync
                var customer = Pick(registered);
                if (_random.Next(6) == 0)
                {
                    //CustomerService.UpdateCustomerRoleAsync: the VIP role made exempt from tax or not, active or not
                    if (_random.Next(2) == 0)
                        _vip.TaxExempt = !_vip.TaxExempt;
                    else
                        _vip.Active = !_vip.Active;
                    Log($"  role VIP: tax exempt {_vip.TaxExempt}, active {_vip.Active}");
                    await UpdateAsync(_vip);
                    //its segments are rebuilt in the background: the model goes on once they ran
                    await WaitForRebuildRunsAsync();
                    break;
                }

                CustomerRole[] roles = [_vip, _resellers, _administrators, _registered, _guests];
                var held = roles.Where(r => _roleMappings.Contains((customer.Id, r.Id))).ToList();
                var add = held.Count == 0 || held.Count < roles.Length && _random.Next(2) == 0;
                var role = add ? Pick(roles.Except(held).ToList()) : Pick(held);
                Log($"  {(add ? "add" : "remove")} role {role.Name} {(add ? "to" : "from")} customer {customer.Id}");
                if (add)
                    await AddRoleAsync(customer, role);
                else
                    await RemoveRoleAsync(customer, role);
                break;
            }
            case 17:
            {
                //NewsLetterSubscriptionService: subscribe, activate or deactivate, delete
                var customer = Pick(registered);
                var storeId = _random.Next(1, 3);
                var subscription = _subscriptions.FirstOrDefault(s => string.Equals(s.Email, customer.Email, StringComparison.OrdinalIgnoreCase) && s.StoreId == storeId);
                if (subscription == null)
                {
                    subscription = new NewsLetterSubscription { NewsLetterSubscriptionGuid = Guid.NewGuid(), Email = customer.Email, Active = true, StoreId = storeId, CreatedOnUtc = DateTime.UtcNow };
                    _subscriptions.Add(subscription);
                    Log($"  customer {customer.Id} subscribes in store {storeId}");
                    await InsertAsync(subscription);
                }
                else if (_random.Next(4) == 0)
                {
                    Log($"  subscription of customer {customer.Id} in store {storeId} deleted");
                    _subscriptions.Remove(subscription);
                    await DeleteAsync(subscription);
                }
                else
                {
                    var original = Copy(subscription);
                    subscription.Active = !subscription.Active;
                    //the admin may give it another customer's email, or one of no customer
                    if (_random.Next(3) == 0)
                        subscription.Email = _random.Next(3) == 0 ? $"nobody{_random.Next(100)}@example.com" : Pick(registered).Email;
                    Log($"  subscription {subscription.Id} of customer {customer.Id} in store {storeId}: active {subscription.Active}, email {subscription.Email}");
                    await UpdateSubscriptionAsync(subscription, original);
                }

                break;
            }
            case 18:
            {
                //AddressService.UpdateAddressAsync: an address of the book (billing, shipping or neither) edited
                var mappings = _addressBook.Where(mapping => registered.Any(c => c.Id == mapping.CustomerId)).ToList();
                if (mappings.Count == 0)
                    goto default;
                var addressId = Pick(mappings).AddressId;
                var address = _addresses.Single(a => a.Id == addressId);
                var fresh = NewAddress();
                (address.CountryId, address.City, address.StateProvinceId, address.ZipPostalCode) = (fresh.CountryId, fresh.City, fresh.StateProvinceId, fresh.ZipPostalCode);
                Log($"  address {address.Id} edited: country {address.CountryId}, city {address.City}");
                await UpdateAsync(address);
                break;
            }
            case 19:
            {
                //the checkout or the address book: another (or a new) address made the billing or shipping address
                var customer = Pick(registered);
                var book = _addressBook.Where(mapping => mapping.CustomerId == customer.Id).Select(mapping => mapping.AddressId).ToList();
                var addressId = book.Count == 0 || _random.Next(3) == 0 ? (await AddAddressToBookAsync(customer, true)).Id : Pick(book);
                var billing = _random.Next(2) == 0;
                if (billing)
                    customer.BillingAddressId = addressId;
                else
                    customer.ShippingAddressId = addressId;
                Log($"  customer {customer.Id} {(billing ? "billing" : "shipping")} address is now {addressId}");
                await UpdateAsync(customer);
                break;
            }
            case 20:
            {
                //CustomerController.AddressDelete: the mapping removed (the customer's billing/shipping cleared in memory), the customer updated, the address deleted
                var mappings = _addressBook.Where(mapping => registered.Any(c => c.Id == mapping.CustomerId)).ToList();
                if (mappings.Count == 0)
                    goto default;
                var mapping = Pick(mappings);
                var customer = _customers.Single(c => c.Id == mapping.CustomerId);
                var address = _addresses.Single(a => a.Id == mapping.AddressId);
                Log($"  customer {customer.Id} deletes address {address.Id} (billing {customer.BillingAddressId}, shipping {customer.ShippingAddressId})");
                if (customer.BillingAddressId == address.Id)
                    customer.BillingAddressId = null;
                if (customer.ShippingAddressId == address.Id)
                    customer.ShippingAddressId = null;
                _addressBook.Remove(mapping);
                var (customerId, addressId) = (mapping.CustomerId, mapping.AddressId);
                await Repository<CustomerAddressMapping>().DeleteAsync(m => m.CustomerId == customerId && m.AddressId == addressId);
                await RaiseAsync(new EntityDeletedEvent<CustomerAddressMapping>(mapping));
                await UpdateAsync(customer);
                _addresses.Remove(address);
                await DeleteAsync(address);
                break;
            }
            case 21 when _random.Next(2) == 0:
            {
                //the admin's CustomerController.Create: the customer inserted with an email, his roles added, a newsletter subscription
                var customer = new Customer
                {
                    CustomerGuid = Guid.NewGuid(), Email = $"User{_customers.Count + 2000}@Example.com", Username = $"user{_customers.Count + 2000}",
                    Company = Pick(RandomShop.Companies), Gender = Pick(new[] { "M", "F", null }), Active = true, RegisteredInStoreId = 1,
                    CreatedOnUtc = DateTime.UtcNow, LastActivityDateUtc = DateTime.UtcNow
                };
                _customers.Add(customer);
                await InsertAsync(customer);
                Log($"  the admin creates customer {customer.Id}");
                await AddRoleAsync(customer, _registered);
                if (_random.Next(2) == 0)
                    await AddRoleAsync(customer, _vip);
                if (_random.Next(2) == 0)
                {
                    var subscription = new NewsLetterSubscription { NewsLetterSubscriptionGuid = Guid.NewGuid(), Email = customer.Email, Active = true, StoreId = 1, CreatedOnUtc = DateTime.UtcNow };
                    _subscriptions.Add(subscription);
                    await InsertAsync(subscription);
                }

                await UpdateAsync(customer);
                break;
            }
            case 21:
            {
                if (_random.Next(2) != 0)
                    goto default;
                //CustomerService.DeleteCustomerAsync: updated without an event (email suffixed), then soft-deleted
                var customer = Pick(registered);
                Log($"  delete customer {customer.Id}");
                customer.Email += "-DELETED";
                customer.Username += "-DELETED";
                await Repository<Customer>().UpdateAsync(customer, false);
                await DeleteAsync(customer);
                break;
            }
            case 22:
            {
                //CustomerService.InsertGuestCustomerAsync, then the visitor fills a cart
                if (Guests.Count() > 6)
                    goto case 23;
                Log("  a new visitor fills a cart");
                await NewGuestAsync(true);
                Log($"    guest {_customers[^1].Id}");
                break;
            }
            case 23:
            {
                //CustomerRegistrationService.RegisterCustomerAsync (email set in memory, saved at the end), then CustomerRegisteredEvent
                var guests = Guests.ToList();
                if (guests.Count == 0)
                    goto default;
                var guest = Pick(guests);
                var index = _customers.Count + 100;
                Log($"  guest {guest.Id} registers as user{index}");
                guest.Email = $"User{index}@Example.com";
                guest.Username = $"user{index}";
                await AddRoleAsync(guest, _registered);
                await RemoveRoleAsync(guest, _guests);
                await UpdateAsync(guest);
                await RaiseAsync(new CustomerRegisteredEvent(guest));
                break;
            }
            case 24:
            {
                //CustomerRegistrationService.SignInCustomerAsync: the guest's cart migrated to the customer, CustomerLoggedinEvent
                var guests = Guests.Where(guest => _cart.Any(item => item.CustomerId == guest.Id)).ToList();
                if (guests.Count == 0)
                    goto default;
                var guest = Pick(guests);
                var customer = Pick(registered);
                Log($"  guest {guest.Id} logs in as customer {customer.Id}: cart migrated");
                var fromCart = _cart.Where(item => item.CustomerId == guest.Id).ToList();
                foreach (var item in fromCart)
                    await AddToCartAsync(customer, item.ProductId, item.ShoppingCartType, item.StoreId, item.Quantity);
                foreach (var item in fromCart)
                    await DeleteCartItemAsync(item);
                await RaiseAsync(new CustomerLoggedinEvent(customer, guest));
                break;
            }
            case 25:
            case 26:
            {
                //ShoppingCartService.AddToCartAsync / DeleteShoppingCartItemAsync
                var customer = Pick(any);
                var items = _cart.Where(item => item.CustomerId == customer.Id).ToList();
                if (items.Count > 0 && _random.Next(2) == 0)
                {
                    var item = Pick(items);
                    Log($"  customer {customer.Id} removes product {item.ProductId} from his {item.ShoppingCartType} in store {item.StoreId}");
                    await DeleteCartItemAsync(item);
                }
                else
                {
                    var type = _random.Next(3) == 0 ? ShoppingCartType.Wishlist : ShoppingCartType.ShoppingCart;
                    var (productId, storeId) = (_random.Next(1, 9), _random.Next(1, 3));
                    Log($"  customer {customer.Id} adds product {productId} to his {type} in store {storeId}");
                    await AddToCartAsync(customer, productId, type, storeId);
                }

                break;
            }
            case 27:
            {
                //GenericAttributeService.SaveAttributeAsync
                var customer = Pick(registered);
                var key = Pick(RandomShop.GenericKeys);
                var value = Pick(RandomShop.GenericValues);
                Log($"  customer {customer.Id} attribute {key} = '{value}'");
                await SaveAttributeAsync(customer, key, value);
                break;
            }
            case 28:
            {
                //a static segment edited by hand
                var customer = Pick(any);
                var add = _random.Next(2) == 0;
                Log($"  {(add ? "add" : "remove")} customer {customer.Id} {(add ? "to" : "from")} the static segment");
                if (add)
                    await _static.AddCustomersAsync(_manual, [customer.Id]);
                else
                    await _static.RemoveCustomersAsync(_manual, [customer.Id]);
                break;
            }
            default:
            {
                var customer = Pick(registered);
                await PlaceOrderAsync(customer);
                break;
            }
        }
    }

    #endregion

    #region Checks

    private async Task<Dictionary<int, HashSet<int>>> MembershipsAsync() =>
        (await Repository<SegmentMembership>().Table.Where(membership => membership.LeftOnUtc == null)
            .Select(membership => new { membership.SegmentId, membership.CustomerId }).ToListAsync())
        .GroupBy(row => row.SegmentId)
        .ToDictionary(group => group.Key, group => group.Select(row => row.CustomerId).ToHashSet());

    /// <summary>
    /// What a full rebuild changed, segment by segment; empty when it changed nothing
    /// </summary>
    private async Task<string> RebuildChangesAsync(SegmentRebuildService rebuild)
    {
        var before = await MembershipsAsync();
        var results = await rebuild.RebuildAllSegmentsAsync();
        var after = await MembershipsAsync();
        var report = new StringBuilder();
        foreach (var segment in _segments.Where(segment => segment.SegmentTypeId == (int)SegmentType.Dynamic))
        {
            var was = before.GetValueOrDefault(segment.Id) ?? [];
            var now = after.GetValueOrDefault(segment.Id) ?? [];
            if (was.SetEquals(now))
                continue;

            report.AppendLine($"  segment {segment.Id} '{segment.Name}' (store {segment.StoreId}) {segment.RuleJson}");
            report.AppendLine($"    entered: {string.Join(", ", now.Except(was).Order())}; left: {string.Join(", ", was.Except(now).Order())}");
        }

        if (report.Length == 0 && results.Any(result => result.Entered + result.Left > 0 || result.Failed))
            report.AppendLine("  " + string.Join("; ", results.Where(result => result.Entered + result.Left > 0 || result.Failed)));

        return report.ToString();
    }

    private string Errors() => string.Join(Environment.NewLine, Logger.Invocations
        .Where(invocation => invocation.Method.Name is nameof(ILogger.ErrorAsync) or nameof(ILogger.WarningAsync))
        .Select(invocation => string.Join(" | ", invocation.Arguments)));

    #endregion

    /// <summary>
    /// The plugin's default settings for odd seeds; for even seeds guests are included and other statuses make purchases
    /// </summary>
    private static CustomerSegmentsSettings NewSettings(int seed) => seed % 2 == 1
        ? new CustomerSegmentsSettings()
        : new CustomerSegmentsSettings
        {
            IncludeGuests = true,
            PurchasePaymentStatusIds = [(int)PaymentStatus.Paid, (int)PaymentStatus.PartiallyRefunded, (int)PaymentStatus.Authorized],
            ExcludedOrderStatusIds = [(int)OrderStatus.Cancelled, (int)OrderStatus.Pending]
        };

    /// <summary>
    /// Runs the operations of a seed, checking every <see cref="CheckEvery"/> operations that a quiet full rebuild (over the
    /// statistics the events kept, then over statistics recomputed from the orders) changes nothing
    /// </summary>
    protected virtual async Task RunModelAsync(int seed, int operations)
    {
        _random = new Random(seed);
        //the fixture's instance runs every seed of an engine: the tables are emptied before each, the model too
        foreach (var list in new System.Collections.IList[] { _customers, _orders, _items, _addresses, _addressBook, _cart, _subscriptions, _attributes, _segments })
            list.Clear();
        _roleMappings.Clear();
        _settings = NewSettings(seed);
        var queries = NewQueryBuilder(_settings);
        _rebuild = NewRebuildService(queries, settings: _settings);
        var runs = NewRebuildRunService(() => NewRebuildRunner(_rebuild));
        _reevaluation = NewReevaluationService(queries, settings: _settings);
        _pending = NewPendingCustomerService(_reevaluation);
        _static = new StaticSegmentService(new EmailCsvParser(), DataProvider, Repository<Customer>(), Repository<SegmentMembership>(), CacheInvalidator, _reevaluation);
        await CreateShopAsync();
        Assert.That(Errors(), Is.Empty, "the setup");

        var started = DateTime.UtcNow;
        IReevaluatedOrderTracker tracker = null;
        var checking = TimeSpan.Zero;
        var inRequest = false;
        for (var done = 0; done < operations;)
        {
            var first = done;
            _window.Clear();
            for (; done < operations && done - first < CheckEvery; done++)
            {
                //a request of its own (the tracker in its items), or no request (a background task, a payment callback's thread)
                //a request may go on with the next operation (a payment confirmed in the checkout's request, an admin's edits)
                var sameRequest = tracker != null && inRequest && _random.Next(3) == 0;
                inRequest = sameRequest || _random.Next(2) == 0;
                if (!sameRequest)
                    tracker = inRequest ? new ReevaluatedOrderTracker(new HttpContextAccessor { HttpContext = new DefaultHttpContext() }) : OutsideRequest;
                _consumers =
                [
                    new CustomerEventConsumer(Logger.Object, _pending, _reevaluation, runs),
                    new EngagementEventConsumer(Logger.Object, _pending, _reevaluation, runs, Repository<Customer>()),
                    new OrderEventConsumer(_settings, Logger.Object, _pending, _reevaluation, tracker),
                    new OrderItemEventConsumer(_settings, Logger.Object, _pending, _reevaluation, Repository<Order>(), tracker),
                    new AddressEventConsumer(Logger.Object, _pending, _reevaluation, Repository<Customer>(), Repository<CustomerAddressMapping>())
                ];
                Log($"#{done}{(sameRequest ? " (in the same request)" : inRequest ? " (in a request)" : string.Empty)}:");
                await RunOperationAsync();
            }

            var checkStarted = DateTime.UtcNow;
            var operationsText = string.Join(Environment.NewLine, _window);
            Assert.That(Errors(), Is.Empty, $"{Engine}, seed {seed}: no event failed in operations {first}-{done - 1}:{Environment.NewLine}{operationsText}");
            var quiet = await RebuildChangesAsync(_rebuild);
            Assert.That(quiet, Is.Empty, $"{Engine}, seed {seed}: a quiet rebuild after operations {first}-{done - 1} changed segments:{Environment.NewLine}{operationsText}");

            //statistics recomputed from the orders: the figures the events kept were the orders'
            var recomputedSettings = NewSettings(seed);
            var recomputed = await RebuildChangesAsync(NewRebuildService(NewQueryBuilder(recomputedSettings), settings: recomputedSettings));
            Assert.That(recomputed, Is.Empty, $"{Engine}, seed {seed}: a rebuild over recomputed statistics after operations {first}-{done - 1} changed segments:{Environment.NewLine}{operationsText}");
            checking += DateTime.UtcNow - checkStarted;
        }

        var members = (await MembershipsAsync()).Values.Sum(set => set.Count);
        TestContext.Progress.WriteLine($"{Engine}, seed {seed}: {operations} operations over {_customers.Count} customers, {_orders.Count} orders, {_segments.Count} segments ({members} memberships) in {(DateTime.UtcNow - started).TotalSeconds:0.0} s ({checking.TotalSeconds:0.0} s of checks)");
        Assert.That(members, Is.GreaterThan(0), "the segments are not trivially empty");
    }

    /// <summary>
    /// Seeds 1 and 2; a longer search adds those of CS_EVENT_MODEL_SEEDS (e.g. "100-139", with CS_EVENT_MODEL_OPERATIONS=200)
    /// </summary>
    public static IEnumerable<int> Seeds()
    {
        int[] seeds = [1, 2];
        if (Environment.GetEnvironmentVariable("CS_EVENT_MODEL_SEEDS")?.Split('-') is [var from, var to]
            && int.TryParse(from, out var first) && int.TryParse(to, out var last))
            seeds = [.. seeds, .. Enumerable.Range(first, Math.Max(0, last - first + 1)).Except(seeds)];

        return seeds;
    }

    [TestCaseSource(nameof(Seeds))]
    public Task AQuietRebuildAfterRandomShopOperationsChangesNothing(int seed) =>
        RunModelAsync(seed, int.TryParse(Environment.GetEnvironmentVariable("CS_EVENT_MODEL_OPERATIONS"), out var operations) ? operations : Operations);
}
