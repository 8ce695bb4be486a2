namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// What the rule builder and the validator know of one field of the catalog
/// </summary>
public class RuleFieldDescriptor
{
    /// <summary>
    /// Unique name used in rule JSON, e.g. "orders.totalSpent"
    /// </summary>
    public string Name { get; init; }

    public RuleFieldCategory Category { get; init; }

    public RuleDataType DataType { get; init; }

    /// <summary>
    /// Operators the field allows, from <see cref="RuleOperators"/>
    /// </summary>
    public IReadOnlyList<string> Operators { get; init; }

    /// <summary>
    /// Where the admin picks values from (countries, products, ...), or none for typed-in values
    /// </summary>
    public RuleValueSource ValueSource { get; init; }

    /// <summary>
    /// Whether the condition takes <c>periodDays</c>; and whether it requires it
    /// </summary>
    public bool HasPeriod { get; init; }

    /// <summary>
    /// Whether <c>periodDays</c> must be given (for fields that make no sense without a period)
    /// </summary>
    public bool RequiresPeriod { get; init; }

    /// <summary>
    /// Whether the condition takes a <c>key</c> (generic attribute key, customer attribute id)
    /// </summary>
    public bool HasKey { get; init; }

    /// <summary>
    /// Where the admin picks the <c>key</c> from (<see cref="RuleValueSource.CustomerAttributes"/>: the key is the id of
    /// one of the shop's customer attributes), or none when the key is typed in
    /// </summary>
    public RuleValueSource KeySource { get; init; }

    /// <summary>
    /// Whether the field depends on the current time, so that the scheduled rebuild must refresh it
    /// </summary>
    public bool IsTimeDependent { get; init; }

    /// <summary>
    /// What data the field reads, so that an event re-evaluates only the segments it can affect
    /// </summary>
    public RuleDataSources Sources { get; init; }

    /// <summary>
    /// Whether a condition on the field reads other tables than the customer's row (orders, addresses, roles ...):
    /// a subquery of the rule's query
    /// </summary>
    public bool ReadsOtherTables => (Sources & ~(RuleDataSources.Customer | RuleDataSources.Clock)) != RuleDataSources.None;

    /// <summary>
    /// Locale resource of the field's name; the description is the same key + ".Hint"
    /// </summary>
    public string ResourceKey { get; init; }

    /// <summary>
    /// Smallest value a number, money or choice id may take
    /// </summary>
    public decimal MinValue { get; init; } = 0;

    /// <summary>
    /// Largest value a number, money or choice id may take
    /// </summary>
    public decimal MaxValue { get; init; } = RuleValueLimits.MaxNumber;

    /// <summary>
    /// Whether numbers must be whole (counts, days, scores, ids)
    /// </summary>
    public bool IntegerOnly { get; init; }

    /// <summary>
    /// For choices from a fixed list (genders, RFM groups): the values allowed; null when the values are ids
    /// </summary>
    public IReadOnlyList<string> AllowedValues { get; init; }
}

/// <summary>
/// Bounds of rule values
/// </summary>
public static class RuleValueLimits
{
    /// <summary>
    /// Largest number a condition may compare with (money, counts)
    /// </summary>
    public const decimal MaxNumber = 1_000_000_000_000m;

    /// <summary>
    /// Largest number of days of a period or a relative date (about 100 years)
    /// </summary>
    public const int MaxDays = 36_600;

    /// <summary>
    /// Longest text value
    /// </summary>
    public const int MaxTextLength = 400;

    /// <summary>
    /// Most values of one condition (ids of "any of", "in" ...)
    /// </summary>
    public const int MaxValues = 1000;

    /// <summary>
    /// Most option values of one customer attribute condition: each is a text test of the customer's attributes XML,
    /// and a thousand of them take linq2db seconds to translate
    /// </summary>
    public const int MaxAttributeValues = 100;

    /// <summary>
    /// Most values of one condition on the field
    /// </summary>
    public static int MaxValuesOf(string fieldName) =>
        fieldName == RuleFields.CustomerAttributeValues ? MaxAttributeValues : MaxValues;

    /// <summary>
    /// Deepest nesting of groups (the root group is at depth 1)
    /// </summary>
    public const int MaxDepth = 8;

    /// <summary>
    /// Most conditions in one rule
    /// </summary>
    public const int MaxConditions = 200;

    /// <summary>
    /// Most conditions in one rule on fields that read other tables (see <see cref="RuleFieldDescriptor.ReadsOtherTables"/>):
    /// each is a subquery, and the time PostgreSQL takes to plan them ANDed grows much faster than their number
    /// (measured on the test database: 50 about 0.15 s at most, 100 up to 1.7 s, 200 from 4.5 s to more than 30 s)
    /// </summary>
    public const int MaxTableConditions = 50;

    /// <summary>
    /// Longest rule JSON, in characters
    /// </summary>
    public const int MaxJsonLength = 256 * 1024;
}

public enum RuleFieldCategory
{
    Demographic,
    Geographic,
    Behaviour,
    Rfm,
    Engagement,
    Segments
}

public enum RuleDataType
{
    Text,
    Number,
    Money,
    Date,
    Boolean,
    /// <summary>
    /// One value from a list (countries, gender, RFM group ...); operators eq/neq/in/notIn
    /// </summary>
    Choice,
    /// <summary>
    /// A set per customer (bought products, roles, ...); operators anyOf/allOf/noneOf
    /// </summary>
    ChoiceSet
}

public enum RuleValueSource
{
    None,
    Genders,
    Months,
    Countries,
    StateProvinces,
    Products,
    Categories,
    Manufacturers,
    CustomerRoles,
    Stores,
    CustomerAttributeValues,
    RfmGroups,
    Segments,
    Vendors,
    Affiliates,
    /// <summary>
    /// The shop's customer attributes: what the key of a customer attribute condition names
    /// </summary>
    CustomerAttributes
}

/// <summary>
/// The kinds of shop data a field reads
/// </summary>
[Flags]
public enum RuleDataSources
{
    None = 0,
    Customer = 1,
    Addresses = 2,
    Orders = 4,
    ShoppingCart = 8,
    Newsletter = 16,
    GenericAttributes = 32,
    CustomerRoles = 64,
    OtherSegments = 128,
    /// <summary>
    /// The current time: refreshed by the scheduled rebuild
    /// </summary>
    Clock = 256
}
