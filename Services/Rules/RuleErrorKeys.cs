using System.Globalization;
using Nop.Plugin.Misc.CustomerSegments.Infrastructure;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Locale resources of rule errors; {0} is the condition (its field's name and place in the tree)
/// </summary>
public static class RuleErrorKeys
{
    private static string K(string name) => $"{CustomerSegmentsDefaults.LocaleResourcePrefix}.Rules.Error.{name}";

    public static string JsonEmpty => K("JsonEmpty");
    public static string JsonTooLarge => K("JsonTooLarge");
    public static string JsonMalformed => K("JsonMalformed");
    public static string UnsupportedVersion => K("UnsupportedVersion");
    public static string TooDeep => K("TooDeep");
    public static string TooManyConditions => K("TooManyConditions");
    public static string TooManyTableConditions => K("TooManyTableConditions");
    public static string EmptyGroup => K("EmptyGroup");
    public static string UnknownField => K("UnknownField");
    public static string UnknownOperator => K("UnknownOperator");
    public static string OperatorNotAllowed => K("OperatorNotAllowed");
    public static string NoValueExpected => K("NoValueExpected");
    public static string OneValueExpected => K("OneValueExpected");
    public static string TwoValuesExpected => K("TwoValuesExpected");
    public static string EmptyList => K("EmptyList");
    public static string TooManyValues => K("TooManyValues");
    public static string NumberExpected => K("NumberExpected");
    public static string WholeNumberExpected => K("WholeNumberExpected");
    public static string NumberOutOfRange => K("NumberOutOfRange");
    public static string DaysOutOfRange => K("DaysOutOfRange");
    public static string RangeReversed => K("RangeReversed");
    public static string DateExpected => K("DateExpected");
    public static string BooleanExpected => K("BooleanExpected");
    public static string TextExpected => K("TextExpected");
    public static string TextTooLong => K("TextTooLong");
    public static string TextInvalid => K("TextInvalid");
    public static string ValueNotAllowed => K("ValueNotAllowed");
    public static string IdExpected => K("IdExpected");
    public static string PeriodRequired => K("PeriodRequired");
    public static string PeriodNotAllowed => K("PeriodNotAllowed");
    public static string PeriodOutOfRange => K("PeriodOutOfRange");
    public static string KeyRequired => K("KeyRequired");
    public static string KeyNotAllowed => K("KeyNotAllowed");
    public static string KeyInvalid => K("KeyInvalid");

    /// <summary>
    /// The key of a customer attribute condition (the attribute's id) is missing
    /// </summary>
    public static string CustomerAttributeKeyRequired => K("KeyRequired.CustomerAttribute");

    /// <summary>
    /// The key of a customer attribute condition is not the id of an attribute (a positive whole number)
    /// </summary>
    public static string CustomerAttributeKeyInvalid => K("KeyInvalid.CustomerAttribute");
    public static string SegmentSelfReference => K("SegmentSelfReference");
    public static string SegmentCycle => K("SegmentCycle");
    public static string SegmentNotFound => K("SegmentNotFound");
    public static string StoreNotFound => K("StoreNotFound");
    public static string ValueNotFound => K("ValueNotFound");

    /// <summary>
    /// Ids of a condition that name nothing: {1} the first of them, {2} how many
    /// </summary>
    public static string SegmentsNotFound => K("SegmentsNotFound");

    /// <inheritdoc cref="SegmentsNotFound"/>
    public static string StoresNotFound => K("StoresNotFound");

    /// <inheritdoc cref="SegmentsNotFound"/>
    public static string ValuesNotFound => K("ValuesNotFound");

    /// <summary>
    /// How a message names a condition: {0} its field, {1} its place
    /// </summary>
    public static string ConditionSubject => K("Subject.Condition");

    /// <summary>
    /// How a message names a group: {0} its place
    /// </summary>
    public static string NodeSubject => K("Subject.Node");

    public static string RuleSubject => K("Subject.Rule");

    /// <summary>
    /// The English text of an error, for callers without a localization service
    /// </summary>
    public static string EnglishMessage(string key, params object[] args)
    {
        var format = LocaleResources.EnglishResources.TryGetValue(key, out var text) ? text : key;
        return args.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, args);
    }
}
