using Nop.Core.Domain.Common;
using System.Text;
using Moq;
using Nop.Core.Domain.Affiliates;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Directory;
using Nop.Core.Domain.Stores;
using Nop.Core.Domain.Vendors;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Admin;

/// <summary>
/// Member search, CSV export and value lookups on real databases
/// </summary>
public class SegmentMemberServicesTests : DatabaseTestBase
{
    private static readonly DateTime Now = new(2026, 6, 30, 12, 0, 0);

    private AdminTestData _data;
    private Segment _static;
    private Segment _dynamic;
    private Customer _alice, _bob, _formula, _left;

    public SegmentMemberServicesTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override async Task CreateSchemaAsync()
    {
        await base.CreateSchemaAsync();
        TestKit.Schema.NopSchema.CreateTables(Database, typeof(Vendor), typeof(Affiliate));
        _data = new AdminTestData(Shop);

        _alice = await _data.CustomerAsync("alice@example.com", firstName: "Alice", lastName: "Archer");
        _bob = await _data.CustomerAsync("Bob@Example.com", firstName: "Bob");
        _formula = await _data.CustomerAsync("formula@example.com", firstName: "=HYPERLINK(\"http://x\")", lastName: "-2+3");
        _left = await _data.CustomerAsync("left@example.com");
        await _data.CustomerAsync("nobody-member@example.com");
        await _data.CustomerAsync("deleted@example.com", deleted: true);

        _static = await _data.SegmentAsync("Hand-picked", SegmentType.Static);
        _dynamic = await _data.SegmentAsync("Rule", SegmentType.Dynamic);

        await _data.MembershipAsync(_static.Id, _alice.Id, Now.AddDays(-3));
        await _data.MembershipAsync(_static.Id, _bob.Id, Now.AddDays(-1));
        await _data.MembershipAsync(_static.Id, _formula.Id, Now.AddDays(-2));
        await _data.MembershipAsync(_static.Id, _left.Id, Now.AddDays(-9), Now.AddDays(-4));
        await _data.MembershipAsync(_dynamic.Id, _left.Id, Now.AddDays(-9));

        var france = new Country { Name = "France", TwoLetterIsoCode = "FR", ThreeLetterIsoCode = "FRA", DisplayOrder = 2, Published = true };
        var germany = new Country { Name = "Germany", TwoLetterIsoCode = "DE", ThreeLetterIsoCode = "DEU", DisplayOrder = 1, Published = true };
        await Repository<Country>().InsertAsync(france);
        await Repository<Country>().InsertAsync(germany);
        foreach (var name in new[] { "Bavaria", "Berlin", "Hamburg" })
            await Repository<StateProvince>().InsertAsync(new StateProvince { CountryId = germany.Id, Name = name, Published = true });
        await Repository<StateProvince>().InsertAsync(new StateProvince { CountryId = france.Id, Name = "Brittany", Published = true });
        await Repository<Store>().InsertAsync(new Store { Name = "Main store", Url = "http://localhost/", Hosts = "localhost" });
        await Repository<Store>().InsertAsync(new Store { Name = "Closed store", Url = "http://closed/", Hosts = "closed", Deleted = true });
    }

    private SegmentMemberSearchService SearchService() => new(Repository<Customer>(), Repository<SegmentMembership>());

    [Test]
    public async Task MemberSearchListsCurrentMembersNewestFirst()
    {
        var members = await SearchService().SearchMembersAsync(_static.Id);

        Assert.That(members.Select(m => m.CustomerId), Is.EqualTo(new[] { _bob.Id, _formula.Id, _alice.Id }));
        Assert.That(members.TotalCount, Is.EqualTo(3));
        Assert.That(members[2].FirstName, Is.EqualTo("Alice"));
        Assert.That(members[2].EnteredOnUtc, Is.EqualTo(Now.AddDays(-3)).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task MemberSearchFiltersByEmailAndPages()
    {
        var found = await SearchService().SearchMembersAsync(_static.Id, "alice");
        var secondPage = await SearchService().SearchMembersAsync(_static.Id, null, 1, 2);

        Assert.That(found.Select(m => m.Email), Is.EqualTo(new[] { "alice@example.com" }));
        Assert.That(secondPage.Select(m => m.CustomerId), Is.EqualTo(new[] { _alice.Id }));
        Assert.That(secondPage.TotalCount, Is.EqualTo(3));
        Assert.That(secondPage.TotalPages, Is.EqualTo(2));

        //a NUL character (PostgreSQL refuses it in text) is left out of the search, not sent to the database
        var withNul = await SearchService().SearchMembersAsync(_static.Id, "ali\0ce");
        Assert.That(withNul.Select(m => m.Email), Is.EqualTo(new[] { "alice@example.com" }));
        Assert.That(await SearchService().SearchMembersAsync(_static.Id, "\0"), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task ExportWritesCurrentMembersAndNeutralizesFormulas()
    {
        var service = new SegmentMemberCsvService(Repository<Customer>(), Repository<SegmentMembership>());
        using var output = new MemoryStream();

        await service.ExportMembersAsync(_static, output);

        var lines = Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("CustomerId,Email,FirstName,LastName,EnteredOnUtc"));
        Assert.That(lines, Has.Length.EqualTo(4), "a header and the three current members");
        Assert.That(lines[1], Does.StartWith($"{_alice.Id},alice@example.com,Alice,Archer,"));
        var formulaLine = lines.Single(line => line.StartsWith($"{_formula.Id},"));
        Assert.That(formulaLine, Does.Contain("'=HYPERLINK"));
        Assert.That(formulaLine, Does.Contain(",'-2+3,"));
        Assert.That(lines, Has.None.Contains("left@example.com"));
    }

    [Test]
    public void AnExportStopsWhenItIsCancelled()
    {
        var service = new SegmentMemberCsvService(Repository<Customer>(), Repository<SegmentMembership>());
        using var output = new MemoryStream();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(() => service.ExportMembersAsync(_static, output, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    private SegmentValueLookupService LookupService() => new(Repository<Category>(), Repository<Country>(), Repository<CustomerAttributeValue>(),
        Repository<CustomerRole>(), Repository<Manufacturer>(), Repository<Product>(), Repository<Segment>(), Repository<StateProvince>(),
        Repository<Store>(), Repository<Vendor>(), Repository<Affiliate>(), Repository<Address>(), Repository<CustomerAttribute>());

    [Test]
    public async Task LookupFindsProductsCategoriesAndManufacturersButNotDeletedOnes()
    {
        await Repository<Product>().InsertAsync(new Product { Name = "Blue shirt", Published = true });
        await Repository<Product>().InsertAsync(new Product { Name = "Blue hat", Published = true, Deleted = true });
        await Repository<Product>().InsertAsync(new Product { Name = "Red shirt", Published = true });
        await Repository<Category>().InsertAsync(new Category { Name = "Shirts", Published = true });
        await Repository<Manufacturer>().InsertAsync(new Manufacturer { Name = "Acme", Published = true });
        var service = LookupService();

        var products = await service.SearchAsync(RuleValueSource.Products, "shirt", 0, 0, 20);
        var blue = await service.SearchAsync(RuleValueSource.Products, "Blue", 0, 0, 20);
        var categories = await service.SearchAsync(RuleValueSource.Categories, null, 0, 0, 20);
        var manufacturers = await service.SearchAsync(RuleValueSource.Manufacturers, "Ac", 0, 0, 20);

        Assert.That(products.Items.Select(p => p.Name), Is.EqualTo(new[] { "Blue shirt", "Red shirt" }));
        Assert.That(blue.Items.Select(p => p.Name), Is.EqualTo(new[] { "Blue shirt" }));
        Assert.That(categories.Items.Select(c => c.Name), Is.EqualTo(new[] { "Shirts" }));
        Assert.That(manufacturers.Items.Select(m => m.Name), Is.EqualTo(new[] { "Acme" }));

        //a NUL character (PostgreSQL refuses it in text) is left out of the search
        var withNul = await service.SearchAsync(RuleValueSource.Products, "Bl\0ue", 0, 0, 20);
        Assert.That(withNul.Items.Select(p => p.Name), Is.EqualTo(new[] { "Blue shirt" }));
    }

    /// <summary>
    /// An affiliate has no name of its own: nopCommerce names it by its address, and so do the rule builder's picker and
    /// the names of a saved rule's affiliates
    /// </summary>
    [Test]
    public async Task AffiliatesAreNamedByTheirAddress()
    {
        async Task<Affiliate> affiliateAsync(string firstName, string lastName, bool deleted = false)
        {
            var address = new Address { FirstName = firstName, LastName = lastName, CreatedOnUtc = DateTime.UtcNow };
            await Repository<Address>().InsertAsync(address);
            var affiliate = new Affiliate { AddressId = address.Id, Active = true, Deleted = deleted };
            await Repository<Affiliate>().InsertAsync(affiliate);
            return affiliate;
        }

        var ann = await affiliateAsync("Ann", "Smith");
        var noFirstName = await affiliateAsync(null, "Jones");
        await affiliateAsync("Gone", "Smith", deleted: true);
        var service = LookupService();

        var smiths = await service.SearchAsync(RuleValueSource.Affiliates, "Smith", 0, 0, 20);
        var all = await service.SearchAsync(RuleValueSource.Affiliates, null, 0, 0, 20);
        var named = await service.GetNamesAsync(RuleValueSource.Affiliates, [noFirstName.Id, ann.Id]);

        Assert.That(smiths.Items.Select(item => (item.Id, item.Name)), Is.EqualTo(new[] { (ann.Id, "Ann Smith") }), "deleted affiliates are not offered");
        Assert.That(all.Items.Select(item => item.Name), Is.EqualTo(new[] { "Ann Smith", "Jones" }));
        Assert.That(named.Select(item => item.Name).Order(), Is.EqualTo(new[] { "Ann Smith", "Jones" }));
    }

    /// <summary>
    /// A saved rule may name rows deleted since: the picker no longer offers them, their names are still read, marked
    /// </summary>
    [Test]
    public async Task TheNamesOfASavedRulesValuesIncludeDeletedRowsMarked()
    {
        var mug = new Product { Name = "Old mug", Published = true, Deleted = true };
        var cup = new Product { Name = "New cup", Published = true };
        await Repository<Product>().InsertAsync(mug);
        await Repository<Product>().InsertAsync(cup);
        var tea = new Category { Name = "Tea", Published = true, Deleted = true };
        await Repository<Category>().InsertAsync(tea);
        var service = LookupService();

        var products = await service.GetNamesAsync(RuleValueSource.Products, [mug.Id, cup.Id, 987_654]);
        var categories = await service.GetNamesAsync(RuleValueSource.Categories, [tea.Id]);
        var offered = await service.GetByIdsAsync(RuleValueSource.Products, [mug.Id, cup.Id]);
        var searched = await service.SearchAsync(RuleValueSource.Products, "mug", 0, 0, 20);

        Assert.That(products.OrderBy(item => item.Id), Is.EqualTo(new[] { new ValueLookupItem(mug.Id, "Old mug", true), new ValueLookupItem(cup.Id, "New cup") }));
        Assert.That(categories, Is.EqualTo(new[] { new ValueLookupItem(tea.Id, "Tea", true) }));
        Assert.That(offered.Select(item => item.Id), Is.EqualTo(new[] { cup.Id }), "what the admin can pick leaves deleted rows out");
        Assert.That(searched.Items, Is.Empty);
    }

    [Test]
    public async Task LookupSearchesPagesAndFiltersByParent()
    {
        var service = LookupService();

        var countries = await service.SearchAsync(RuleValueSource.Countries, null, 0, 0, 20);
        var germanStates = await service.SearchAsync(RuleValueSource.StateProvinces, null, countries.Items[0].Id, 0, 2);
        var nextPage = await service.SearchAsync(RuleValueSource.StateProvinces, null, countries.Items[0].Id, 1, 2);
        var searched = await service.SearchAsync(RuleValueSource.StateProvinces, "Br", 0, 0, 20);
        var stores = await service.SearchAsync(RuleValueSource.Stores, null, 0, 0, 20);
        var segments = await service.SearchAsync(RuleValueSource.Segments, "Hand", 0, 0, 20);

        Assert.That(countries.Items.Select(c => c.Name), Is.EqualTo(new[] { "Germany", "France" }), "display order first");
        Assert.That(germanStates.Items.Select(s => s.Name), Is.EqualTo(new[] { "Bavaria", "Berlin" }));
        Assert.That(germanStates.HasMore, Is.True);
        Assert.That(nextPage.Items.Select(s => s.Name), Is.EqualTo(new[] { "Hamburg" }));
        Assert.That(nextPage.HasMore, Is.False);
        Assert.That(searched.Items.Select(s => s.Name), Is.EqualTo(new[] { "Brittany" }));
        Assert.That(stores.Items.Select(s => s.Name), Is.EqualTo(new[] { "Main store" }), "deleted stores are not offered");
        Assert.That(segments.Items.Select(s => s.Id), Is.EqualTo(new[] { _static.Id }));
    }

    /// <summary>
    /// The key of a customer attribute condition is chosen from the shop's customer attributes by name; an attribute's
    /// options are searched within the attribute, none while no attribute is chosen
    /// </summary>
    [Test]
    public async Task LookupListsCustomerAttributesAndTheOptionsOfOneAttribute()
    {
        var colour = new CustomerAttribute { Name = "Favourite colour", AttributeControlTypeId = 1, DisplayOrder = 2 };
        var contact = new CustomerAttribute { Name = "Preferred contact", AttributeControlTypeId = 2, DisplayOrder = 1 };
        await Repository<CustomerAttribute>().InsertAsync(colour);
        await Repository<CustomerAttribute>().InsertAsync(contact);
        var green = new CustomerAttributeValue { AttributeId = colour.Id, Name = "Green" };
        var email = new CustomerAttributeValue { AttributeId = contact.Id, Name = "Email" };
        await Repository<CustomerAttributeValue>().InsertAsync(green);
        await Repository<CustomerAttributeValue>().InsertAsync(email);
        var service = LookupService();

        var attributes = await service.SearchAsync(RuleValueSource.CustomerAttributes, null, 0, 0, 20);
        var ofColour = await service.SearchAsync(RuleValueSource.CustomerAttributeValues, null, colour.Id, 0, 20);
        var ofNone = await service.SearchAsync(RuleValueSource.CustomerAttributeValues, null, 0, 0, 20);
        var named = await service.GetNamesAsync(RuleValueSource.CustomerAttributeValues, [green.Id, email.Id]);

        Assert.That(attributes.Items.Select(item => (item.Id, item.Name)), Is.EqualTo(new[] { (contact.Id, "Preferred contact"), (colour.Id, "Favourite colour") }),
            "display order first");
        Assert.That(ofColour.Items.Select(item => item.Name), Is.EqualTo(new[] { "Green" }));
        Assert.That(ofNone.Items, Is.Empty, "not the options of every attribute together");
        Assert.That(named.Select(item => item.Name).Order(), Is.EqualTo(new[] { "Email", "Green" }), "a saved rule's options are still named");
    }

    /// <summary>
    /// The rule builder's "load more" sends the page number it is given: a page past the last row is empty, also
    /// when page times page size is more than an int holds (it wrapped round to a negative offset, which PostgreSQL
    /// and MariaDB refuse and SQLite reads from the first row)
    /// </summary>
    [TestCase(1000)]
    [TestCase(int.MaxValue / 20 + 1)]
    [TestCase(int.MaxValue)]
    public async Task LookupPastTheLastPageIsEmpty(int pageIndex)
    {
        var service = LookupService();

        var page = await service.SearchAsync(RuleValueSource.Countries, null, 0, pageIndex, 20);

        Assert.That(page.Items, Is.Empty);
        Assert.That(page.HasMore, Is.False);
    }

    [Test]
    public async Task LookupNamesKnownIdsAndIgnoresOthers()
    {
        var service = LookupService();
        var france = Repository<Country>().Table.Single(c => c.Name == "France");

        var named = await service.GetByIdsAsync(RuleValueSource.Countries, [france.Id, 99999]);
        var typedIn = await service.SearchAsync(RuleValueSource.None, "x", 0, 0, 20);

        Assert.That(named.Select(item => (item.Id, item.Name)), Is.EqualTo(new[] { (france.Id, "France") }));
        Assert.That(typedIn.Items, Is.Empty);
    }

    /// <summary>
    /// Which ids name a row, soft-deleted rows included, read in bounded IN lists however many ids are asked for
    /// </summary>
    [Test]
    public async Task LookupTellsWhichIdsNameRowsDeletedOnesIncluded()
    {
        var shirt = new Product { Name = "Shirt", Published = true };
        var hat = new Product { Name = "Discontinued hat", Deleted = true };
        var shoes = new Category { Name = "Old shoes", Deleted = true };
        var maker = new Manufacturer { Name = "Gone maker", Deleted = true };
        var seller = new Vendor { Name = "Gone seller", Deleted = true };
        var partner = new Affiliate { FriendlyUrlName = "partner", Deleted = true };
        var role = new CustomerRole { Name = "VIP", SystemName = "VIP", Active = true };
        var size = new CustomerAttributeValue { AttributeId = 1, Name = "XL" };
        await Repository<Product>().InsertAsync(shirt);
        await Repository<Product>().InsertAsync(hat);
        await Repository<Category>().InsertAsync(shoes);
        await Repository<Manufacturer>().InsertAsync(maker);
        await Repository<Vendor>().InsertAsync(seller);
        await Repository<Affiliate>().InsertAsync(partner);
        await Repository<CustomerRole>().InsertAsync(role);
        await Repository<CustomerAttributeValue>().InsertAsync(size);
        var france = Repository<Country>().Table.Single(c => c.Name == "France");
        var brittany = Repository<StateProvince>().Table.Single(s => s.Name == "Brittany");
        var service = LookupService();
        const int missing = 987654;

        async Task<int[]> ExistingAsync(RuleValueSource source, params int[] ids) => (await service.GetExistingIdsAsync(source, ids)).Order().ToArray();

        Assert.That(await ExistingAsync(RuleValueSource.Products, shirt.Id, hat.Id, missing, hat.Id), Is.EqualTo(new[] { shirt.Id, hat.Id }.Order()));
        Assert.That(await ExistingAsync(RuleValueSource.Categories, shoes.Id, missing), Is.EqualTo(new[] { shoes.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.Manufacturers, maker.Id, missing), Is.EqualTo(new[] { maker.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.Vendors, seller.Id, missing), Is.EqualTo(new[] { seller.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.Affiliates, partner.Id, missing), Is.EqualTo(new[] { partner.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.CustomerRoles, role.Id, missing), Is.EqualTo(new[] { role.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.CustomerAttributeValues, size.Id, missing), Is.EqualTo(new[] { size.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.Countries, france.Id, missing), Is.EqualTo(new[] { france.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.StateProvinces, brittany.Id, missing), Is.EqualTo(new[] { brittany.Id }));
        Assert.That(await ExistingAsync(RuleValueSource.Genders, 1), Is.Empty, "not a table of ids");
        Assert.That(await ExistingAsync(RuleValueSource.Products), Is.Empty);

        //a rule's conditions may name up to 200 x 1,000 ids: the rows are found whichever IN list they fall in
        var many = Enumerable.Range(missing, 2_500).Append(hat.Id).Append(shirt.Id).ToArray();
        Assert.That(await ExistingAsync(RuleValueSource.Products, many), Is.EqualTo(new[] { shirt.Id, hat.Id }.Order()));
    }
}
