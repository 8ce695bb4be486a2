using System.Linq.Expressions;
using LinqToDB;
using LinqToDB.Data;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Orders;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Fills the products bought per customer and store with one INSERT ... SELECT of the purchases' items grouped by
/// customer, store and product; keeps a few customers current with set-based statements that write only the rows that
/// differ, and one customer with two small reads and a write per differing row. Orders of every store id are kept
/// (a rule for all stores reads them all), as the rules' reading of the raw orders does.
/// </summary>
public class CustomerPurchasedProductService : ICustomerPurchasedProductService
{
    protected readonly CustomerSegmentsSettings _settings;
    protected readonly INopDataProvider _dataProvider;
    protected readonly IRepository<Order> _orderRepository;
    protected readonly IRepository<OrderItem> _orderItemRepository;
    protected readonly IRepository<CustomerPurchasedProduct> _purchasedProductRepository;
    protected readonly ISegmentMembershipTransaction _segmentMembershipTransaction;

    public CustomerPurchasedProductService(CustomerSegmentsSettings settings,
        INopDataProvider dataProvider,
        IRepository<Order> orderRepository,
        IRepository<OrderItem> orderItemRepository,
        IRepository<CustomerPurchasedProduct> purchasedProductRepository,
        ISegmentMembershipTransaction segmentMembershipTransaction)
    {
        _settings = settings;
        _dataProvider = dataProvider;
        _orderRepository = orderRepository;
        _orderItemRepository = orderItemRepository;
        _purchasedProductRepository = purchasedProductRepository;
        _segmentMembershipTransaction = segmentMembershipTransaction;
    }

    #region Utilities

    /// <summary>
    /// Rows per guarded statement: two parameters each, far below SQL Server's 2,100
    /// </summary>
    public const int WriteBatchSize = 200;

    protected virtual ITable<CustomerPurchasedProduct> PurchasedProductTable =>
        (ITable<CustomerPurchasedProduct>)_dataProvider.GetTable<CustomerPurchasedProduct>();

    /// <summary>
    /// The purchases' items grouped per customer, store and product, with the date of the last purchase
    /// </summary>
    protected virtual IQueryable<PurchasedProductAggregate> AggregateProducts(IQueryable<Order> orders) =>
        from o in SegmentQueries.Purchases(orders, _settings)
        join oi in _orderItemRepository.Table on o.Id equals oi.OrderId
        group o by new { o.CustomerId, o.StoreId, oi.ProductId } into g
        select new PurchasedProductAggregate
        {
            CustomerId = g.Key.CustomerId,
            StoreId = g.Key.StoreId,
            ProductId = g.Key.ProductId,
            LastPurchasedOnUtc = g.Max(o => o.CreatedOnUtc)
        };

    protected virtual Task<int> InsertAsync(IQueryable<PurchasedProductAggregate> aggregates) =>
        aggregates.InsertAsync(PurchasedProductTable, a => new CustomerPurchasedProduct
        {
            CustomerId = a.CustomerId,
            StoreId = a.StoreId,
            ProductId = a.ProductId,
            LastPurchasedOnUtc = a.LastPurchasedOnUtc
        });

    /// <summary>
    /// Brings the rows of a batch of customers in line with their purchases: their rows and their purchased products
    /// read once each (the grouped read of their orders' items is the expensive part), compared in memory, and only
    /// the differences written: dates updated, products no longer bought deleted, new ones inserted
    /// </summary>
    protected virtual async Task ReconcileAsync(int[] customerIds)
    {
        var rows = await _purchasedProductRepository.Table.Where(r => customerIds.Contains(r.CustomerId)).ToListAsync();
        var bought = await AggregateProducts(_orderRepository.Table.Where(o => customerIds.Contains(o.CustomerId))).ToListAsync();
        var rowsOf = rows.ToLookup(r => r.CustomerId);
        var boughtOf = bought.ToLookup(a => a.CustomerId);
        foreach (var customerId in customerIds)
        {
            var products = boughtOf[customerId].ToDictionary(a => (a.StoreId, a.ProductId), a => DateTime.SpecifyKind(a.LastPurchasedOnUtc, DateTimeKind.Utc));
            await WriteAsync(Compare(customerId, rowsOf[customerId], products));
        }
    }

    /// <summary>
    /// Writes the changes of a refresh that holds the rows' lock (or runs in a transaction that will)
    /// </summary>
    protected virtual async Task WriteAsync(PurchasedProductChanges changes)
    {
        foreach (var (row, last) in changes.Updated)
        {
            row.LastPurchasedOnUtc = last;
            await _purchasedProductRepository.UpdateAsync(row, false);
        }

        foreach (var row in changes.Deleted)
            await _purchasedProductRepository.DeleteAsync(row, false);

        if (changes.Inserted.Count > 0)
            await _purchasedProductRepository.InsertAsync(changes.Inserted, false);
    }

    /// <summary>
    /// The customer's order items (orders not deleted) grouped per store, product, payment status and order status
    /// with the date of the last order: a few rows, classified into purchases by <see cref="SummarizeProducts"/>. The
    /// statement holds no list of statuses, so linq2db reuses its SQL from event to event.
    /// </summary>
    protected virtual Task<List<PurchasedProductStatusAggregate>> AggregateCustomerProductsAsync(int customerId) =>
        (from o in _orderRepository.Table.Where(o => o.CustomerId == customerId && !o.Deleted)
            join oi in _orderItemRepository.Table on o.Id equals oi.OrderId
            group o by new { o.StoreId, oi.ProductId, o.PaymentStatusId, o.OrderStatusId } into g
            select new PurchasedProductStatusAggregate
            {
                StoreId = g.Key.StoreId,
                ProductId = g.Key.ProductId,
                PaymentStatusId = g.Key.PaymentStatusId,
                OrderStatusId = g.Key.OrderStatusId,
                LastOnUtc = g.Max(o => o.CreatedOnUtc)
            })
        .ToListAsync();

    /// <summary>
    /// The customer's purchased products per store with the date of the last purchase, from the item groups, as
    /// <see cref="AggregateProducts"/> computes them
    /// </summary>
    protected virtual Dictionary<(int StoreId, int ProductId), DateTime> SummarizeProducts(IEnumerable<PurchasedProductStatusAggregate> groups)
    {
        var products = new Dictionary<(int, int), DateTime>();
        foreach (var group in groups)
        {
            if (!SegmentQueries.IsPurchase(_settings, group.PaymentStatusId, group.OrderStatusId))
                continue;

            var key = (group.StoreId, group.ProductId);
            var last = DateTime.SpecifyKind(group.LastOnUtc, DateTimeKind.Utc);
            if (!products.TryGetValue(key, out var known) || last > known)
                products[key] = last;
        }

        return products;
    }

    /// <summary>
    /// In one statement: the products of one of the customer's orders (one per item, <see cref="OrderProductRead.InOrder"/>),
    /// each with the order's state and the customer's row of the product in the order's store; then the customer's rows
    /// dated within a second of the order, which may owe their date to it. No products when the order has no items or
    /// is not his.
    /// </summary>
    protected virtual Task<List<OrderProductRead>> ReadOrderProductsAsync(int customerId, int orderId, DateTime placedOnUtc) =>
        ReadOrderProductsAsync(customerId, orderId, placedOnUtc, null);

    /// <summary>
    /// <see cref="ReadOrderProductsAsync(int, int, DateTime)"/>, with in the same statement the customer's rows of the
    /// products the names designate (by id, or mapped to a category or manufacturer named), once per name
    /// (<see cref="OrderProductRead.Kind"/>), and the categories and manufacturers named of the order's products
    /// </summary>
    protected virtual Task<List<OrderProductRead>> ReadOrderProductsAsync(int customerId, int orderId, DateTime placedOnUtc, PurchaseNames names)
    {
        var (from, to) = (placedOnUtc.AddSeconds(-1), placedOnUtc.AddSeconds(1));
        var products =
            from oi in _orderItemRepository.Table
            join o in _orderRepository.Table on oi.OrderId equals o.Id
            where oi.OrderId == orderId && o.CustomerId == customerId
            from r in _purchasedProductRepository.Table
                .Where(r => r.CustomerId == o.CustomerId && r.StoreId == o.StoreId && r.ProductId == oi.ProductId)
                .DefaultIfEmpty()
            select new OrderProductRead
            {
                InOrder = true,
                Kind = OrderProductRead.NoName,
                NamedId = 0,
                ProductId = oi.ProductId,
                StoreId = o.StoreId,
                Deleted = o.Deleted,
                PaymentStatusId = o.PaymentStatusId,
                OrderStatusId = o.OrderStatusId,
                CreatedOnUtc = o.CreatedOnUtc,
                RowId = (int?)r.Id,
                RowLastPurchasedOnUtc = (DateTime?)r.LastPurchasedOnUtc
            };
        var datedRows = _purchasedProductRepository.Table
            .Where(r => r.CustomerId == customerId && r.LastPurchasedOnUtc > from && r.LastPurchasedOnUtc < to)
            .Select(r => new OrderProductRead
            {
                InOrder = false,
                Kind = OrderProductRead.NoName,
                NamedId = 0,
                ProductId = r.ProductId,
                StoreId = r.StoreId,
                Deleted = false,
                PaymentStatusId = 0,
                OrderStatusId = 0,
                CreatedOnUtc = r.LastPurchasedOnUtc,
                RowId = (int?)r.Id,
                RowLastPurchasedOnUtc = (DateTime?)r.LastPurchasedOnUtc
            });
        var read = products.Concat(datedRows);

        var rows = _purchasedProductRepository.Table.Where(r => r.CustomerId == customerId);
        var productIds = names?.Of(RuleFields.BoughtProducts).ToList() ?? [];
        if (productIds.Count > 0)
        {
            read = read.Concat(rows
                .Where(r => productIds.Contains(r.ProductId))
                .Select(r => new OrderProductRead
                {
                    InOrder = false,
                    Kind = OrderProductRead.ProductName,
                    NamedId = r.ProductId,
                    ProductId = r.ProductId,
                    StoreId = r.StoreId,
                    Deleted = false,
                    PaymentStatusId = 0,
                    OrderStatusId = 0,
                    CreatedOnUtc = r.LastPurchasedOnUtc,
                    RowId = (int?)r.Id,
                    RowLastPurchasedOnUtc = (DateTime?)r.LastPurchasedOnUtc
                }));
        }

        var categoryIds = names?.Of(RuleFields.BoughtCategories).ToList() ?? [];
        if (categoryIds.Count > 0)
        {
            var mappings = ProductCategoryTable.Where(pc => categoryIds.Contains(pc.CategoryId))
                .Select(pc => new ProductNameMapping { ProductId = pc.ProductId, NamedId = pc.CategoryId });
            read = read.Concat(NamedRows(rows, mappings, OrderProductRead.CategoryName))
                .Concat(NamedOrderProducts(customerId, orderId, mappings, OrderProductRead.CategoryName));
        }

        var manufacturerIds = names?.Of(RuleFields.BoughtManufacturers).ToList() ?? [];
        if (manufacturerIds.Count > 0)
        {
            var mappings = ProductManufacturerTable.Where(pm => manufacturerIds.Contains(pm.ManufacturerId))
                .Select(pm => new ProductNameMapping { ProductId = pm.ProductId, NamedId = pm.ManufacturerId });
            read = read.Concat(NamedRows(rows, mappings, OrderProductRead.ManufacturerName))
                .Concat(NamedOrderProducts(customerId, orderId, mappings, OrderProductRead.ManufacturerName));
        }

        return read.ToListAsync();
    }

    protected virtual IQueryable<ProductCategory> ProductCategoryTable => _dataProvider.GetTable<ProductCategory>();

    protected virtual IQueryable<ProductManufacturer> ProductManufacturerTable => _dataProvider.GetTable<ProductManufacturer>();

    /// <summary>
    /// The customer's rows of the products mapped to a name, once per name
    /// </summary>
    protected virtual IQueryable<OrderProductRead> NamedRows(IQueryable<CustomerPurchasedProduct> rows, IQueryable<ProductNameMapping> mappings, int kind) =>
        from r in rows
        join m in mappings on r.ProductId equals m.ProductId
        select new OrderProductRead
        {
            InOrder = false,
            Kind = kind,
            NamedId = m.NamedId,
            ProductId = r.ProductId,
            StoreId = r.StoreId,
            Deleted = false,
            PaymentStatusId = 0,
            OrderStatusId = 0,
            CreatedOnUtc = r.LastPurchasedOnUtc,
            RowId = (int?)r.Id,
            RowLastPurchasedOnUtc = (DateTime?)r.LastPurchasedOnUtc
        };

    /// <summary>
    /// The names of the products of the customer's order, once per item and name
    /// </summary>
    protected virtual IQueryable<OrderProductRead> NamedOrderProducts(int customerId, int orderId, IQueryable<ProductNameMapping> mappings, int kind) =>
        from oi in _orderItemRepository.Table
        join o in _orderRepository.Table on oi.OrderId equals o.Id
        join m in mappings on oi.ProductId equals m.ProductId
        where oi.OrderId == orderId && o.CustomerId == customerId
        select new OrderProductRead
        {
            InOrder = true,
            Kind = kind,
            NamedId = m.NamedId,
            ProductId = oi.ProductId,
            StoreId = o.StoreId,
            Deleted = o.Deleted,
            PaymentStatusId = o.PaymentStatusId,
            OrderStatusId = o.OrderStatusId,
            CreatedOnUtc = o.CreatedOnUtc,
            RowId = (int?)null,
            RowLastPurchasedOnUtc = (DateTime?)null
        };

    /// <summary>
    /// The customer's rows of the products named as the order's refresh leaves them (see
    /// <see cref="RefreshOrderAsync(Order, PurchaseNames)"/>): as read, and when the order counts (its products given),
    /// each of its products bought in its store on its date at the earliest
    /// </summary>
    protected virtual CustomerNamedPurchases NamedPurchasesAfter(PurchaseNames names, IList<OrderProductRead> read,
        IList<OrderProductRead> purchasedProducts)
    {
        static DateTime utc(DateTime date) => DateTime.SpecifyKind(date, DateTimeKind.Utc);

        var purchases = new Dictionary<(string, int, int, int), DateTime>();
        foreach (var row in read.Where(row => !row.InOrder && row.Kind != OrderProductRead.NoName && row.RowLastPurchasedOnUtc != null))
            purchases[(OrderProductRead.FieldOf(row.Kind), row.NamedId, row.StoreId, row.ProductId)] = utc(row.RowLastPurchasedOnUtc.Value);

        var productIds = names.Of(RuleFields.BoughtProducts);
        foreach (var product in purchasedProducts?.DistinctBy(product => product.ProductId) ?? [])
        {
            var placedOnUtc = utc(product.CreatedOnUtc);
            var last = product.RowLastPurchasedOnUtc is { } known && (known >= placedOnUtc || SameMoment(known, placedOnUtc))
                ? utc(known)
                : placedOnUtc;
            var named = read
                .Where(name => name.InOrder && name.Kind != OrderProductRead.NoName && name.ProductId == product.ProductId)
                .Select(name => (Field: OrderProductRead.FieldOf(name.Kind), Id: name.NamedId))
                .ToList();
            if (productIds.Contains(product.ProductId))
                named.Add((RuleFields.BoughtProducts, product.ProductId));

            foreach (var (field, id) in named)
                purchases[(field, id, product.StoreId, product.ProductId)] = last;
        }

        return new CustomerNamedPurchases(names, purchases.Select(pair =>
            new NamedPurchase(pair.Key.Item1, pair.Key.Item2, pair.Key.Item3, pair.Key.Item4, pair.Value)));
    }

    /// <summary>
    /// Whether the order counts as a purchase, as <see cref="SummarizeProducts"/> classifies the item groups
    /// </summary>
    protected virtual bool CountsAsPurchase(OrderProductRead order) =>
        !order.Deleted && SegmentQueries.IsPurchase(_settings, order.PaymentStatusId, order.OrderStatusId);

    /// <summary>
    /// The same moment to the second: the column may keep whole seconds only (MySQL/MariaDB DATETIME) while the orders
    /// keep fractions, and a stored date that differs by less than a second would be written on every refresh
    /// </summary>
    private static bool SameMoment(DateTime stored, DateTime computed) =>
        Math.Abs((stored - computed).Ticks) < TimeSpan.TicksPerSecond;

    /// <summary>
    /// The writes that bring the rows to the purchased products: rows to update (with their new date), to insert, to delete
    /// </summary>
    private static PurchasedProductChanges Compare(int customerId, IEnumerable<CustomerPurchasedProduct> rows,
        Dictionary<(int StoreId, int ProductId), DateTime> products)
    {
        var changes = new PurchasedProductChanges();
        var seen = new HashSet<(int, int)>();
        foreach (var row in rows)
        {
            var key = (row.StoreId, row.ProductId);
            if (!seen.Add(key) || !products.TryGetValue(key, out var last))
                changes.Deleted.Add(row);
            else if (!SameMoment(row.LastPurchasedOnUtc, last))
                changes.Updated.Add((row, last));
        }

        foreach (var ((storeId, productId), last) in products.Where(pair => !seen.Contains(pair.Key)))
        {
            changes.Inserted.Add(new CustomerPurchasedProduct
            {
                CustomerId = customerId,
                StoreId = storeId,
                ProductId = productId,
                LastPurchasedOnUtc = last
            });
        }

        return changes;
    }

    /// <summary>
    /// The row still has the date it was read with
    /// </summary>
    protected virtual Expression<Func<CustomerPurchasedProduct, bool>> Unchanged(CustomerPurchasedProduct row)
    {
        var id = row.Id;
        var last = row.LastPurchasedOnUtc;

        return r => r.Id == id && r.LastPurchasedOnUtc == last;
    }

    /// <summary>
    /// The rows that still have the dates they were read with
    /// </summary>
    protected virtual Expression<Func<CustomerPurchasedProduct, bool>> AllUnchanged(IEnumerable<CustomerPurchasedProduct> rows) =>
        RuleExpressions.Any(rows.Select(Unchanged));

    /// <summary>
    /// Applies the changes without a transaction, the updates and deletes only where the rows are still as read, the
    /// inserts guarded by the unique index. An order's products take one statement per kind of write rather than one
    /// per product: the updates to one date together, the inserts in one multi-row INSERT.
    /// </summary>
    /// <returns>Whether every write applied (else another refresh wrote meanwhile, or a write met a lock conflict)</returns>
    protected virtual async Task<bool> TryWriteIfUnchangedAsync(PurchasedProductChanges changes)
    {
        try
        {
            foreach (var toDate in changes.Updated.GroupBy(change => change.LastPurchasedOnUtc))
            {
                foreach (var batch in toDate.Select(change => change.Row).Chunk(WriteBatchSize))
                {
                    var written = await _purchasedProductRepository.Table
                        .Where(AllUnchanged(batch))
                        .Set(r => r.LastPurchasedOnUtc, toDate.Key)
                        .UpdateAsync();
                    if (written != batch.Length)
                        return false;
                }
            }

            foreach (var batch in changes.Deleted.Chunk(WriteBatchSize))
            {
                if (await _purchasedProductRepository.Table.Where(AllUnchanged(batch)).DeleteAsync() != batch.Length)
                    return false;
            }

            if (changes.Inserted is [var single])
                await _purchasedProductRepository.InsertAsync(single, false);
            else if (changes.Inserted.Count > 1)
                await PurchasedProductTable.BulkCopyAsync(new BulkCopyOptions { BulkCopyType = BulkCopyType.MultipleRows }, changes.Inserted);

            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Refreshes one customer in a transaction: the customer's rows locked, the purchases read, then only the rows that
    /// differ written. A row inserted by a refresh committed meanwhile fails the INSERT (unique index): the transaction
    /// runs again.
    /// </summary>
    protected virtual async Task<bool> RefreshLockedAsync(int customerId)
    {
        var written = false;
        await _segmentMembershipTransaction.RunAsync(async () =>
        {
            written = false;
            await _purchasedProductRepository.Table
                .Where(r => r.CustomerId == customerId)
                .Set(r => r.ProductId, r => r.ProductId)
                .UpdateAsync();

            var products = SummarizeProducts(await AggregateCustomerProductsAsync(customerId));
            var rows = await _purchasedProductRepository.Table.Where(r => r.CustomerId == customerId).ToListAsync();
            var changes = Compare(customerId, rows, products);

            await WriteAsync(changes);
            written = changes.Count > 0;
        });

        return written;
    }

    #endregion

    #region Methods

    public virtual async Task RecomputeCustomersAsync(CustomerIdRange range)
    {
        await range.Of(_purchasedProductRepository.Table, r => r.CustomerId).DeleteAsync();
        await InsertAsync(AggregateProducts(range.Of(_orderRepository.Table, o => o.CustomerId)));
    }

    public virtual async Task RefreshCustomersAsync(IList<int> customerIds)
    {
        var ids = (customerIds ?? []).Where(id => id > 0).Distinct().ToList();
        if (ids.Count == 1)
        {
            await RefreshCustomerAsync(ids[0]);
            return;
        }

        foreach (var batch in ids.Chunk(CustomerOrderStatisticsService.CustomerBatchSize))
        {
            //a row inserted by a refresh committed meanwhile fails the INSERT (unique index): run again
            await _segmentMembershipTransaction.RunAsync(() => ReconcileAsync(batch));
        }
    }

    public virtual async Task<bool> RefreshCustomerAsync(int customerId)
    {
        if (customerId <= 0)
            return false;

        //rows before purchases: a refresh that wrote before the rows were read had read fewer purchases than are read
        //here, and one that writes after they were read makes the guarded writes fail
        var rows = await _purchasedProductRepository.Table.Where(r => r.CustomerId == customerId).ToListAsync();
        var changes = Compare(customerId, rows, SummarizeProducts(await AggregateCustomerProductsAsync(customerId)));
        if (changes.Count == 0)
            return false;

        if (await TryWriteIfUnchangedAsync(changes))
            return true;

        return await RefreshLockedAsync(customerId);
    }

    public virtual async Task<CustomerProductsRefresh> RefreshOrderAsync(Order order, PurchaseNames names = null)
    {
        if (order == null || order.Id <= 0 || order.CustomerId <= 0)
            return new CustomerProductsRefresh(false, null);

        var customerId = order.CustomerId;
        var read = await ReadOrderProductsAsync(customerId, order.Id, DateTime.SpecifyKind(order.CreatedOnUtc, DateTimeKind.Utc), names);
        var products = read.Where(product => product.InOrder && product.Kind == OrderProductRead.NoName).ToList();
        CustomerNamedPurchases after(IList<OrderProductRead> purchased) =>
            names is { Count: > 0 } ? NamedPurchasesAfter(names, read, purchased) : null;

        //a row dated by the order while the order no longer holds its product in that store (an item removed, the order
        //moved to another store): only a recompute can tell its date now
        if (read.Any(row => !row.InOrder && row.Kind == OrderProductRead.NoName
            && !products.Any(product => product.StoreId == row.StoreId && product.ProductId == row.ProductId)))
        {
            return new CustomerProductsRefresh(await RefreshCustomerAsync(customerId), null);
        }

        if (products.Count == 0)
            return new CustomerProductsRefresh(false, after(null));

        var placed = products[0];
        var placedOnUtc = DateTime.SpecifyKind(placed.CreatedOnUtc, DateTimeKind.Utc);
        if (!CountsAsPurchase(placed))
        {
            //a row dated by this order may owe its date to it: the customer's rows are recomputed from his purchases
            if (products.Any(product => product.RowLastPurchasedOnUtc is { } last && SameMoment(last, placedOnUtc)))
                return new CustomerProductsRefresh(await RefreshCustomerAsync(customerId), null);

            return new CustomerProductsRefresh(false, after(null));
        }

        //the order counts: each of its products was bought last on its date at the earliest
        var changes = new PurchasedProductChanges();
        foreach (var product in products.DistinctBy(product => product.ProductId))
        {
            var row = new CustomerPurchasedProduct
            {
                Id = product.RowId ?? 0,
                CustomerId = customerId,
                StoreId = placed.StoreId,
                ProductId = product.ProductId,
                LastPurchasedOnUtc = DateTime.SpecifyKind(product.RowLastPurchasedOnUtc ?? placedOnUtc, DateTimeKind.Utc)
            };
            if (product.RowId == null)
                changes.Inserted.Add(row);
            else if (row.LastPurchasedOnUtc < placedOnUtc && !SameMoment(row.LastPurchasedOnUtc, placedOnUtc))
                changes.Updated.Add((row, placedOnUtc));
        }

        if (changes.Count == 0)
            return new CustomerProductsRefresh(false, after(products));

        if (await TryWriteIfUnchangedAsync(changes))
            return new CustomerProductsRefresh(true, after(products));

        return new CustomerProductsRefresh(await RefreshLockedAsync(customerId), null);
    }

    public virtual async Task<IReadOnlyList<CustomerPurchasedProduct>> GetCustomerProductsAsync(int customerId) =>
        await _purchasedProductRepository.Table.Where(r => r.CustomerId == customerId).ToListAsync();

    #endregion

    /// <summary>
    /// The writes of one customer's refresh
    /// </summary>
    protected class PurchasedProductChanges
    {
        public List<(CustomerPurchasedProduct Row, DateTime LastPurchasedOnUtc)> Updated { get; } = [];

        public List<CustomerPurchasedProduct> Inserted { get; } = [];

        public List<CustomerPurchasedProduct> Deleted { get; } = [];

        public int Count => Updated.Count + Inserted.Count + Deleted.Count;
    }
}

/// <summary>
/// A product a customer bought in one store, with the date of the last purchase
/// </summary>
public class PurchasedProductAggregate
{
    public int CustomerId { get; set; }

    public int StoreId { get; set; }

    public int ProductId { get; set; }

    public DateTime LastPurchasedOnUtc { get; set; }
}

/// <summary>
/// A product of an order, with the order's state and the row of the order's customer, store and product if any
/// </summary>
public class OrderProductRead
{
    /// <summary>
    /// Whether this is an item of the order (otherwise a row dated within a second of the order)
    /// </summary>
    public bool InOrder { get; set; }

    /// <summary>
    /// How the product is named (<see cref="NoName"/> for an item of the order or a row dated by it)
    /// </summary>
    public int Kind { get; set; }

    /// <summary>
    /// The product, category or manufacturer named
    /// </summary>
    public int NamedId { get; set; }

    public int ProductId { get; set; }

    public int StoreId { get; set; }

    public bool Deleted { get; set; }

    public int PaymentStatusId { get; set; }

    public int OrderStatusId { get; set; }

    public DateTime CreatedOnUtc { get; set; }

    public int? RowId { get; set; }

    public DateTime? RowLastPurchasedOnUtc { get; set; }

    public const int NoName = 0;
    public const int ProductName = 1;
    public const int CategoryName = 2;
    public const int ManufacturerName = 3;

    /// <summary>
    /// The purchase field of a kind of name
    /// </summary>
    public static string FieldOf(int kind) => kind switch
    {
        ProductName => RuleFields.BoughtProducts,
        CategoryName => RuleFields.BoughtCategories,
        ManufacturerName => RuleFields.BoughtManufacturers,
        _ => throw new ArgumentOutOfRangeException(nameof(kind))
    };
}

/// <summary>
/// A product mapped to a category or manufacturer
/// </summary>
public class ProductNameMapping
{
    public int ProductId { get; set; }

    public int NamedId { get; set; }
}

/// <summary>
/// What the refresh of an order's products did: whether a row was written, and the customer's rows of the products
/// named, as the refresh left them (null when none were named, or when the refresh recomputed the customer's rows)
/// </summary>
public record CustomerProductsRefresh(bool Written, CustomerNamedPurchases Purchases);

/// <summary>
/// A customer's items of one product in orders of one store with one payment status and one order status, with the
/// date of the last of those orders
/// </summary>
public class PurchasedProductStatusAggregate
{
    public int StoreId { get; set; }

    public int ProductId { get; set; }

    public int PaymentStatusId { get; set; }

    public int OrderStatusId { get; set; }

    public DateTime LastOnUtc { get; set; }
}
