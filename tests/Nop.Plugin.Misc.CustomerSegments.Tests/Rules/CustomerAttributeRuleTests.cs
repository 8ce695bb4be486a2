using System.Text.Json;
using System.Xml;
using Nop.Core.Domain.Catalog;
using Nop.Core.Domain.Common;
using Nop.Core.Domain.Customers;
using Nop.Core.Domain.Messages;
using Nop.Core.Domain.Orders;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Plugin.Misc.CustomerSegments.Services.Rules;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Rules;

/// <summary>
/// Customer attribute conditions read nopCommerce's attribute XML exactly: an option counts only in its own
/// attribute (not when another attribute's text equals its id), wherever it stands among several values, and a
/// text counts only when it is the whole text (escaped as nopCommerce writes it)
/// </summary>
public class CustomerAttributeRuleTests : DatabaseTestBase
{
    private const int Colors = 1;        //checkboxes: options 11, 12, 13
    private const int Nickname = 2;      //text box
    private const int Size = 3;          //drop-down: options 21, 22
    private readonly Dictionary<string, int> _customers = [];
    private SegmentRuleQueryBuilder _builder;

    public CustomerAttributeRuleTests(DatabaseEngine engine) : base(engine)
    {
    }

    /// <summary>
    /// The attribute XML as nopCommerce's attribute parser builds it: an XmlDocument, one element per attribute,
    /// values appended in the order chosen, saved as OuterXml
    /// </summary>
    private static string AttributesXml(params (int AttributeId, string Value)[] values)
    {
        var document = new XmlDocument();
        var root = document.AppendChild(document.CreateElement("Attributes"))!;
        foreach (var (attributeId, value) in values)
        {
            var attribute = root.ChildNodes.Cast<XmlElement>().FirstOrDefault(e => e.GetAttribute("ID") == attributeId.ToString());
            if (attribute == null)
            {
                attribute = document.CreateElement("CustomerAttribute");
                attribute.SetAttribute("ID", attributeId.ToString());
                root.AppendChild(attribute);
            }

            var valueElement = document.CreateElement("CustomerAttributeValue");
            var inner = document.CreateElement("Value");
            inner.InnerText = value;
            valueElement.AppendChild(inner);
            attribute.AppendChild(valueElement);
        }

        return document.OuterXml;
    }

    [OneTimeSetUp]
    public async Task CreateCustomersAsync()
    {
        var customers = new (string Name, string Xml)[]
        {
            ("eleven and twelve", AttributesXml((Colors, "11"), (Colors, "12"))),
            ("twelve then eleven", AttributesXml((Colors, "12"), (Colors, "11"))),
            ("only eleven", AttributesXml((Colors, "11"))),
            ("eleven last of three", AttributesXml((Size, "21"), (Colors, "13"), (Colors, "12"), (Colors, "11"), (Nickname, "11"))),
            ("thirteen, nickname 11", AttributesXml((Colors, "13"), (Nickname, "11"))),
            ("nickname 11 only", AttributesXml((Nickname, "11"))),
            ("nickname 11 before colors", AttributesXml((Nickname, "11"), (Colors, "12"))),
            ("size 21, nickname 11", AttributesXml((Size, "21"), (Nickname, "11"))),
            ("one hundred eleven", AttributesXml((Colors, "111"))),
            ("nickname with quotes", AttributesXml((Nickname, "O'Brien & \"Sons\" <ltd>"), (Colors, "12"))),
            ("nickname O'Brien", AttributesXml((Nickname, "O'Brien"))),
            ("nickname with a line break", AttributesXml((Nickname, "two\r\nlines"))),
            //a text box of spaces: nopCommerce trims what was entered and stores the empty text
            ("nickname blank", AttributesXml((Nickname, ""))),
            ("no attributes", null),
            ("empty attributes", AttributesXml())
        };

        foreach (var (name, xml) in customers)
        {
            var customer = new Customer
            {
                CustomerGuid = Guid.NewGuid(), Email = $"{name.Replace(' ', '.')}@example.com", Active = true,
                CreatedOnUtc = DateTime.UtcNow, LastActivityDateUtc = DateTime.UtcNow, CustomCustomerAttributesXML = xml
            };
            await Repository<Customer>().InsertAsync(customer, false);
            _customers[name] = customer.Id;
        }

        _builder = Shop.NewRuleQueryBuilder();
    }

    private async Task<string[]> MatchingAsync(string field, int attributeId, string op, params object[] values)
    {
        var rule = new SegmentRule
        {
            Root = new RuleGroup
            {
                Children =
                [
                    new RuleCondition
                    {
                        Field = field, Operator = op, Key = attributeId.ToString(),
                        Values = values.Select(value => JsonSerializer.SerializeToElement(value)).ToList()
                    }
                ]
            }
        };
        var ids = await (await _builder.BuildMatchingCustomerIdsQueryAsync(rule, 0, DateTime.UtcNow)).ToListAsync();
        return _customers.Where(pair => ids.Contains(pair.Value)).Select(pair => pair.Key).Order().ToArray();
    }

    private string[] AllBut(params string[] names) => _customers.Keys.Except(names).Order().ToArray();

    [Test]
    public async Task AnOptionCountsInItsOwnAttributeWhereverItStands()
    {
        string[] withEleven = ["eleven and twelve", "twelve then eleven", "only eleven", "eleven last of three"];

        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeValues, Colors, AnyOf, 11), Is.EqualTo(withEleven.Order()));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeValues, Colors, NoneOf, 11), Is.EqualTo(AllBut(withEleven)));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeValues, Colors, AllOf, 11, 12),
            Is.EqualTo(new[] { "eleven and twelve", "twelve then eleven", "eleven last of three" }.Order()));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeValues, Colors, AnyOf, 13),
            Is.EqualTo(new[] { "eleven last of three", "thirteen, nickname 11" }.Order()));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeValues, Size, AnyOf, 21),
            Is.EqualTo(new[] { "eleven last of three", "size 21, nickname 11" }.Order()));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeValues, Colors, AnyOf, 111), Is.EqualTo(new[] { "one hundred eleven" }));
    }

    [Test]
    public async Task ATextCountsOnlyAsTheWholeTextOfItsAttribute()
    {
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, Equal, "11"),
            Is.EqualTo(new[] { "eleven last of three", "thirteen, nickname 11", "nickname 11 only", "nickname 11 before colors", "size 21, nickname 11" }.Order()));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, Equal, "O'Brien & \"sons\" <LTD>"), Is.EqualTo(new[] { "nickname with quotes" }));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, Equal, "o'brien"), Is.EqualTo(new[] { "nickname O'Brien" }));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, Equal, "two\r\nlines"), Is.EqualTo(new[] { "nickname with a line break" }));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Colors, Equal, "11"), Is.EqualTo(new[] { "only eleven" }),
            "an attribute whose only value is 11 (what a text attribute with 11 would look like)");
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, NotEqual, "11"),
            Is.EqualTo(AllBut("eleven last of three", "thirteen, nickname 11", "nickname 11 only", "nickname 11 before colors", "size 21, nickname 11")));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Size, IsNotEmpty),
            Is.EqualTo(new[] { "eleven last of three", "size 21, nickname 11" }.Order()));
    }

    [Test]
    public async Task AnEmptyTextIsEmpty()
    {
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, IsNotEmpty), Does.Not.Contain("nickname blank"));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, IsEmpty), Does.Contain("nickname blank"));
        Assert.That(await MatchingAsync(RuleFields.CustomerAttributeText, Nickname, IsNotEmpty), Does.Contain("nickname 11 only"));
    }
}
