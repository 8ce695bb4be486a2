namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Names of the operators a condition can use
/// </summary>
public static class RuleOperators
{
    public const string Equal = "eq";
    public const string NotEqual = "neq";
    public const string In = "in";
    public const string NotIn = "notIn";
    public const string Contains = "contains";
    public const string StartsWith = "startsWith";
    public const string EndsWith = "endsWith";
    public const string IsEmpty = "isEmpty";
    public const string IsNotEmpty = "isNotEmpty";
    public const string GreaterThan = "gt";
    public const string GreaterThanOrEqual = "gte";
    public const string LessThan = "lt";
    public const string LessThanOrEqual = "lte";
    public const string Between = "between";
    public const string InLastDays = "inLastDays";
    public const string MoreThanDaysAgo = "moreThanDaysAgo";
    public const string BetweenDates = "betweenDates";
    public const string Before = "before";
    public const string After = "after";
    public const string AnyOf = "anyOf";
    public const string AllOf = "allOf";
    public const string NoneOf = "noneOf";
}
