using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// The fields a rule can test, with their types, operators and the data they read
/// </summary>
public class RuleFieldCatalog : IRuleFieldCatalog
{
    private static readonly string[] _textOperators = [Equal, NotEqual, In, NotIn, Contains, StartsWith, EndsWith, IsEmpty, IsNotEmpty];
    private static readonly string[] _numberOperators = [Equal, NotEqual, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual, Between];
    private static readonly string[] _optionalNumberOperators = [.. _numberOperators, IsEmpty, IsNotEmpty];
    private static readonly string[] _dateOperators = [Equal, Before, After, BetweenDates, InLastDays, MoreThanDaysAgo];
    private static readonly string[] _optionalDateOperators = [.. _dateOperators, IsEmpty, IsNotEmpty];
    private static readonly string[] _booleanOperators = [Equal];
    private static readonly string[] _choiceOperators = [Equal, NotEqual, In, NotIn];
    private static readonly string[] _optionalChoiceOperators = [.. _choiceOperators, IsEmpty, IsNotEmpty];
    private static readonly string[] _setOperators = [AnyOf, AllOf, NoneOf];

    private static readonly IReadOnlyList<RuleFieldDescriptor> _fields = CreateFields();
    private static readonly IReadOnlyDictionary<string, RuleFieldDescriptor> _fieldsByName =
        _fields.ToDictionary(field => field.Name, StringComparer.Ordinal);

    public virtual IReadOnlyList<RuleFieldDescriptor> GetFields() => _fields;

    public virtual RuleFieldDescriptor GetField(string name) =>
        name != null && _fieldsByName.TryGetValue(name, out var field) ? field : null;

    /// <summary>
    /// Locale resource of a field's name
    /// </summary>
    public static string FieldResourceKey(string fieldName) =>
        $"{CustomerSegmentsDefaults.LocaleResourcePrefix}.Rules.Field.{fieldName}";

    private static List<RuleFieldDescriptor> CreateFields()
    {
        const RuleDataSources customer = RuleDataSources.Customer;
        const RuleDataSources addresses = RuleDataSources.Customer | RuleDataSources.Addresses;
        const RuleDataSources orders = RuleDataSources.Orders;
        const RuleDataSources clock = RuleDataSources.Clock;

        return
        [
            //demographic
            Field(RuleFields.Age, RuleFieldCategory.Demographic, RuleDataType.Number, _optionalNumberOperators, customer | clock,
                integerOnly: true, maxValue: 150),
            Field(RuleFields.BirthMonth, RuleFieldCategory.Demographic, RuleDataType.Choice, _optionalChoiceOperators, customer,
                RuleValueSource.Months, integerOnly: true, minValue: 1, maxValue: 12),
            Field(RuleFields.Gender, RuleFieldCategory.Demographic, RuleDataType.Choice, _optionalChoiceOperators, customer,
                RuleValueSource.Genders, allowedValues: ["M", "F", "N"]),
            Field(RuleFields.Company, RuleFieldCategory.Demographic, RuleDataType.Text, _textOperators, customer),
            Field(RuleFields.HasVatNumber, RuleFieldCategory.Demographic, RuleDataType.Boolean, _booleanOperators, customer),
            Field(RuleFields.CustomerAttributeValues, RuleFieldCategory.Demographic, RuleDataType.ChoiceSet, _setOperators, customer,
                RuleValueSource.CustomerAttributeValues, integerOnly: true, minValue: 1, maxValue: int.MaxValue, keySource: RuleValueSource.CustomerAttributes),
            Field(RuleFields.CustomerAttributeText, RuleFieldCategory.Demographic, RuleDataType.Text, [Equal, NotEqual, IsEmpty, IsNotEmpty], customer,
                keySource: RuleValueSource.CustomerAttributes),
            Field(RuleFields.GenericAttribute, RuleFieldCategory.Demographic, RuleDataType.Text, _textOperators, RuleDataSources.GenericAttributes,
                hasKey: true),

            //geographic
            Field(RuleFields.BillingCountry, RuleFieldCategory.Geographic, RuleDataType.Choice, _optionalChoiceOperators, addresses,
                RuleValueSource.Countries, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.BillingStateProvince, RuleFieldCategory.Geographic, RuleDataType.Choice, _optionalChoiceOperators, addresses,
                RuleValueSource.StateProvinces, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.BillingCity, RuleFieldCategory.Geographic, RuleDataType.Text, _textOperators, addresses),
            Field(RuleFields.BillingZipPostalCode, RuleFieldCategory.Geographic, RuleDataType.Text, _textOperators, addresses),
            Field(RuleFields.ShippingCountry, RuleFieldCategory.Geographic, RuleDataType.Choice, _optionalChoiceOperators, addresses,
                RuleValueSource.Countries, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.ShippingStateProvince, RuleFieldCategory.Geographic, RuleDataType.Choice, _optionalChoiceOperators, addresses,
                RuleValueSource.StateProvinces, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.ShippingCity, RuleFieldCategory.Geographic, RuleDataType.Text, _textOperators, addresses),
            Field(RuleFields.ShippingZipPostalCode, RuleFieldCategory.Geographic, RuleDataType.Text, _textOperators, addresses),

            //behaviour
            Field(RuleFields.OrderCount, RuleFieldCategory.Behaviour, RuleDataType.Number, _numberOperators, orders, integerOnly: true),
            Field(RuleFields.TotalSpent, RuleFieldCategory.Behaviour, RuleDataType.Money, _numberOperators, orders),
            Field(RuleFields.AverageOrderValue, RuleFieldCategory.Behaviour, RuleDataType.Money, _optionalNumberOperators, orders),
            Field(RuleFields.FirstOrderDate, RuleFieldCategory.Behaviour, RuleDataType.Date, _optionalDateOperators, orders | clock),
            Field(RuleFields.LastOrderDate, RuleFieldCategory.Behaviour, RuleDataType.Date, _optionalDateOperators, orders | clock),
            Field(RuleFields.DaysSinceLastOrder, RuleFieldCategory.Behaviour, RuleDataType.Number, _optionalNumberOperators, orders | clock,
                integerOnly: true, maxValue: RuleValueLimits.MaxDays),
            Field(RuleFields.OrderCountInPeriod, RuleFieldCategory.Behaviour, RuleDataType.Number, _numberOperators, orders | clock,
                integerOnly: true, hasPeriod: true, requiresPeriod: true),
            Field(RuleFields.SpentInPeriod, RuleFieldCategory.Behaviour, RuleDataType.Money, _numberOperators, orders | clock,
                hasPeriod: true, requiresPeriod: true),
            Field(RuleFields.BoughtProducts, RuleFieldCategory.Behaviour, RuleDataType.ChoiceSet, _setOperators, orders | clock,
                RuleValueSource.Products, integerOnly: true, minValue: 1, maxValue: int.MaxValue, hasPeriod: true),
            Field(RuleFields.BoughtCategories, RuleFieldCategory.Behaviour, RuleDataType.ChoiceSet, _setOperators, orders | clock,
                RuleValueSource.Categories, integerOnly: true, minValue: 1, maxValue: int.MaxValue, hasPeriod: true),
            Field(RuleFields.BoughtManufacturers, RuleFieldCategory.Behaviour, RuleDataType.ChoiceSet, _setOperators, orders | clock,
                RuleValueSource.Manufacturers, integerOnly: true, minValue: 1, maxValue: int.MaxValue, hasPeriod: true),
            Field(RuleFields.RefundedOrderCount, RuleFieldCategory.Behaviour, RuleDataType.Number, _numberOperators, orders, integerOnly: true),
            Field(RuleFields.CancelledOrderCount, RuleFieldCategory.Behaviour, RuleDataType.Number, _numberOperators, orders, integerOnly: true),
            Field(RuleFields.AbandonedCart, RuleFieldCategory.Behaviour, RuleDataType.Boolean, _booleanOperators,
                RuleDataSources.ShoppingCart | orders | clock, hasPeriod: true, requiresPeriod: true),
            Field(RuleFields.WishlistNotEmpty, RuleFieldCategory.Behaviour, RuleDataType.Boolean, _booleanOperators, RuleDataSources.ShoppingCart),

            //RFM: scores are relative to every buying customer, so any order can move anyone's score
            Field(RuleFields.RfmRecency, RuleFieldCategory.Rfm, RuleDataType.Number, _numberOperators, orders | customer | clock,
                integerOnly: true, minValue: 1, maxValue: 5),
            Field(RuleFields.RfmFrequency, RuleFieldCategory.Rfm, RuleDataType.Number, _numberOperators, orders | customer | clock,
                integerOnly: true, minValue: 1, maxValue: 5),
            Field(RuleFields.RfmMonetary, RuleFieldCategory.Rfm, RuleDataType.Number, _numberOperators, orders | customer | clock,
                integerOnly: true, minValue: 1, maxValue: 5),
            Field(RuleFields.RfmGroup, RuleFieldCategory.Rfm, RuleDataType.Choice, _choiceOperators, orders | customer | clock,
                RuleValueSource.RfmGroups, allowedValues: RfmGroups.All),

            //engagement
            Field(RuleFields.RegisteredDate, RuleFieldCategory.Engagement, RuleDataType.Date, _dateOperators, customer | clock),
            Field(RuleFields.LastLoginDate, RuleFieldCategory.Engagement, RuleDataType.Date, _optionalDateOperators, customer | clock),
            Field(RuleFields.LastActivityDate, RuleFieldCategory.Engagement, RuleDataType.Date, _dateOperators, customer | clock),
            Field(RuleFields.Active, RuleFieldCategory.Engagement, RuleDataType.Boolean, _booleanOperators, customer),
            Field(RuleFields.NewsletterSubscribed, RuleFieldCategory.Engagement, RuleDataType.Boolean, _booleanOperators,
                RuleDataSources.Newsletter | customer),
            Field(RuleFields.CustomerRoles, RuleFieldCategory.Engagement, RuleDataType.ChoiceSet, _setOperators, RuleDataSources.CustomerRoles,
                RuleValueSource.CustomerRoles, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.RegisteredInStore, RuleFieldCategory.Engagement, RuleDataType.Choice, _choiceOperators, customer,
                RuleValueSource.Stores, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.Affiliate, RuleFieldCategory.Engagement, RuleDataType.Choice, _optionalChoiceOperators, customer,
                RuleValueSource.Affiliates, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.Vendor, RuleFieldCategory.Engagement, RuleDataType.Choice, _optionalChoiceOperators, customer,
                RuleValueSource.Vendors, integerOnly: true, minValue: 1, maxValue: int.MaxValue),
            Field(RuleFields.TaxExempt, RuleFieldCategory.Engagement, RuleDataType.Boolean, _booleanOperators, customer | RuleDataSources.CustomerRoles),

            //other segments
            Field(RuleFields.SegmentMember, RuleFieldCategory.Segments, RuleDataType.Choice, [In, NotIn], RuleDataSources.OtherSegments,
                RuleValueSource.Segments, integerOnly: true, minValue: 1, maxValue: int.MaxValue)
        ];
    }

    private static RuleFieldDescriptor Field(string name, RuleFieldCategory category, RuleDataType dataType, string[] operators,
        RuleDataSources sources, RuleValueSource valueSource = RuleValueSource.None, bool integerOnly = false,
        decimal minValue = 0, decimal maxValue = RuleValueLimits.MaxNumber, IReadOnlyList<string> allowedValues = null,
        bool hasKey = false, RuleValueSource keySource = RuleValueSource.None, bool hasPeriod = false, bool requiresPeriod = false)
    {
        return new RuleFieldDescriptor
        {
            Name = name,
            Category = category,
            DataType = dataType,
            Operators = operators,
            ValueSource = valueSource,
            HasPeriod = hasPeriod,
            RequiresPeriod = requiresPeriod,
            HasKey = hasKey || keySource != RuleValueSource.None,
            KeySource = keySource,
            IsTimeDependent = sources.HasFlag(RuleDataSources.Clock),
            Sources = sources,
            ResourceKey = FieldResourceKey(name),
            MinValue = minValue,
            MaxValue = maxValue,
            IntegerOnly = integerOnly || dataType is RuleDataType.Date,
            AllowedValues = allowedValues
        };
    }
}
