using Nop.Core.Domain.Affiliates;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Stores;
using Nop.Core.Domain.Vendors;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The values a rule condition picks from, searched by name and paged in the database
/// </summary>
public class SegmentValueLookupService : ISegmentValueLookupService
{
    /// <summary>
    /// Most ids of one IN list of <see cref="GetExistingIdsAsync"/>
    /// </summary>
    public const int ExistingIdsBatchSize = 500;

    protected readonly IRepository<Address> _addressRepository;
    protected readonly IRepository<Affiliate> _affiliateRepository;
    protected readonly IRepository<Category> _categoryRepository;
    protected readonly IRepository<Country> _countryRepository;
    protected readonly IRepository<CustomerAttribute> _customerAttributeRepository;
    protected readonly IRepository<CustomerAttributeValue> _customerAttributeValueRepository;
    protected readonly IRepository<CustomerRole> _customerRoleRepository;
    protected readonly IRepository<Manufacturer> _manufacturerRepository;
    protected readonly IRepository<Product> _productRepository;
    protected readonly IRepository<Segment> _segmentRepository;
    protected readonly IRepository<StateProvince> _stateProvinceRepository;
    protected readonly IRepository<Store> _storeRepository;
    protected readonly IRepository<Vendor> _vendorRepository;

    public SegmentValueLookupService(IRepository<Category> categoryRepository,
        IRepository<Country> countryRepository,
        IRepository<CustomerAttributeValue> customerAttributeValueRepository,
        IRepository<CustomerRole> customerRoleRepository,
        IRepository<Manufacturer> manufacturerRepository,
        IRepository<Product> productRepository,
        IRepository<Segment> segmentRepository,
        IRepository<StateProvince> stateProvinceRepository,
        IRepository<Store> storeRepository,
        IRepository<Vendor> vendorRepository,
        IRepository<Affiliate> affiliateRepository,
        IRepository<Address> addressRepository,
        IRepository<CustomerAttribute> customerAttributeRepository)
    {
        _addressRepository = addressRepository;
        _affiliateRepository = affiliateRepository;
        _categoryRepository = categoryRepository;
        _countryRepository = countryRepository;
        _customerAttributeRepository = customerAttributeRepository;
        _customerAttributeValueRepository = customerAttributeValueRepository;
        _customerRoleRepository = customerRoleRepository;
        _manufacturerRepository = manufacturerRepository;
        _productRepository = productRepository;
        _segmentRepository = segmentRepository;
        _stateProvinceRepository = stateProvinceRepository;
        _storeRepository = storeRepository;
        _vendorRepository = vendorRepository;
    }

    /// <summary>
    /// A row of a lookup as the database returns it
    /// </summary>
    protected class LookupRow
    {
        public int Id { get; init; }

        public string Name { get; init; }

        public bool Deleted { get; init; }
    }

    /// <summary>
    /// The named rows of a source the admin can pick: soft-deleted rows left out (see <see cref="GetAllItems"/>)
    /// </summary>
    protected virtual IQueryable<LookupRow> GetItems(RuleValueSource source, int parentId) =>
        GetAllItems(source, parentId)?.Where(item => !item.Deleted);

    /// <summary>
    /// The named rows of a source, soft-deleted ones included, in display order down to the id (pages read with OFFSET
    /// are stable only in a unique order), or null when the source is not a table of names
    /// </summary>
    protected virtual IQueryable<LookupRow> GetAllItems(RuleValueSource source, int parentId) => source switch
    {
        RuleValueSource.Countries => _countryRepository.Table
            .OrderBy(country => country.DisplayOrder).ThenBy(country => country.Name).ThenBy(country => country.Id)
            .Select(country => new LookupRow { Id = country.Id, Name = country.Name, Deleted = false }),
        RuleValueSource.StateProvinces => _stateProvinceRepository.Table
            .Where(state => parentId == 0 || state.CountryId == parentId)
            .OrderBy(state => state.DisplayOrder).ThenBy(state => state.Name).ThenBy(state => state.Id)
            .Select(state => new LookupRow { Id = state.Id, Name = state.Name, Deleted = false }),
        RuleValueSource.CustomerRoles => _customerRoleRepository.Table
            .OrderBy(role => role.Name).ThenBy(role => role.Id)
            .Select(role => new LookupRow { Id = role.Id, Name = role.Name, Deleted = false }),
        RuleValueSource.Stores => _storeRepository.Table
            .OrderBy(store => store.DisplayOrder).ThenBy(store => store.Name).ThenBy(store => store.Id)
            .Select(store => new LookupRow { Id = store.Id, Name = store.Name, Deleted = store.Deleted }),
        RuleValueSource.CustomerAttributes => _customerAttributeRepository.Table
            .OrderBy(attribute => attribute.DisplayOrder).ThenBy(attribute => attribute.Name).ThenBy(attribute => attribute.Id)
            .Select(attribute => new LookupRow { Id = attribute.Id, Name = attribute.Name, Deleted = false }),
        RuleValueSource.CustomerAttributeValues => _customerAttributeValueRepository.Table
            .Where(value => parentId == 0 || value.AttributeId == parentId)
            .OrderBy(value => value.DisplayOrder).ThenBy(value => value.Name).ThenBy(value => value.Id)
            .Select(value => new LookupRow { Id = value.Id, Name = value.Name, Deleted = false }),
        RuleValueSource.Products => _productRepository.Table
            .OrderBy(product => product.Name).ThenBy(product => product.Id)
            .Select(product => new LookupRow { Id = product.Id, Name = product.Name, Deleted = product.Deleted }),
        RuleValueSource.Categories => _categoryRepository.Table
            .OrderBy(category => category.Name).ThenBy(category => category.Id)
            .Select(category => new LookupRow { Id = category.Id, Name = category.Name, Deleted = category.Deleted }),
        RuleValueSource.Manufacturers => _manufacturerRepository.Table
            .OrderBy(manufacturer => manufacturer.Name).ThenBy(manufacturer => manufacturer.Id)
            .Select(manufacturer => new LookupRow { Id = manufacturer.Id, Name = manufacturer.Name, Deleted = manufacturer.Deleted }),
        RuleValueSource.Vendors => _vendorRepository.Table
            .OrderBy(vendor => vendor.Name).ThenBy(vendor => vendor.Id)
            .Select(vendor => new LookupRow { Id = vendor.Id, Name = vendor.Name, Deleted = vendor.Deleted }),
        //an affiliate is named by its address, as nopCommerce's admin names it
        RuleValueSource.Affiliates =>
            from affiliate in _affiliateRepository.Table
            from address in _addressRepository.Table.Where(address => address.Id == affiliate.AddressId).DefaultIfEmpty()
            let name = ((address.FirstName ?? string.Empty) + " " + (address.LastName ?? string.Empty)).Trim()
            orderby name, affiliate.Id
            select new LookupRow { Id = affiliate.Id, Name = name, Deleted = affiliate.Deleted },
        RuleValueSource.Segments => _segmentRepository.Table
            .OrderBy(segment => segment.Name).ThenBy(segment => segment.Id)
            .Select(segment => new LookupRow { Id = segment.Id, Name = segment.Name, Deleted = false }),
        _ => null
    };

    public virtual async Task<ValueLookupPage> SearchAsync(RuleValueSource source, string search, int parentId, int pageIndex, int pageSize)
    {
        var items = GetItems(source, parentId);
        if (items is null || pageSize <= 0)
            return new ValueLookupPage([], false);

        //the options of one attribute: those of every attribute together, unnamed, would be a list to guess from
        if (source == RuleValueSource.CustomerAttributeValues && parentId <= 0)
            return new ValueLookupPage([], false);

        if (SearchText.Normalize(search) is { } text)
            items = items.Where(item => item.Name.Contains(text));

        //the page number comes from the request: an offset past what an int holds is past every row
        var offset = (long)Math.Max(pageIndex, 0) * pageSize;
        if (offset > int.MaxValue)
            return new ValueLookupPage([], false);

        //one row more than the page tells whether there is a next page, without counting them all
        var rows = await items.Skip((int)offset).Take(pageSize + 1).ToListAsync();

        return new ValueLookupPage(rows.Take(pageSize).Select(row => new ValueLookupItem(row.Id, row.Name)).ToList(), rows.Count > pageSize);
    }

    /// <summary>
    /// The rows of the ids among the items
    /// </summary>
    protected virtual async Task<IList<ValueLookupItem>> GetByIdsAsync(IQueryable<LookupRow> items, IList<int> ids)
    {
        if (items is null || ids is null || ids.Count == 0)
            return [];

        var wanted = ids.Distinct().ToArray();

        var rows = await items.Where(item => wanted.Contains(item.Id)).ToListAsync();

        return rows.Select(row => new ValueLookupItem(row.Id, row.Name, row.Deleted)).ToList();
    }

    public virtual Task<IList<ValueLookupItem>> GetByIdsAsync(RuleValueSource source, IList<int> ids) =>
        GetByIdsAsync(GetItems(source, 0), ids);

    public virtual Task<IList<ValueLookupItem>> GetNamesAsync(RuleValueSource source, IList<int> ids) =>
        GetByIdsAsync(GetAllItems(source, 0), ids);

    public virtual async Task<IReadOnlySet<int>> GetExistingIdsAsync(RuleValueSource source, IList<int> ids)
    {
        var existing = new HashSet<int>();
        var all = GetAllItems(source, 0)?.Select(item => item.Id);
        if (all is null || ids is null || ids.Count == 0)
            return existing;

        //a rule names up to 200 x 1,000 ids: IN lists of bounded length, as every database takes them
        foreach (var batch in ids.Distinct().Chunk(ExistingIdsBatchSize))
            existing.UnionWith(await all.Where(id => batch.Contains(id)).ToListAsync());

        return existing;
    }
}
