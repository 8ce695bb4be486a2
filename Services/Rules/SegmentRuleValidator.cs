using System.Globalization;
using System.Text.Json;
using Nop.Plugin.Misc.CustomerSegments.Domain;
using Nop.Services.Localization;
using static Nop.Plugin.Misc.CustomerSegments.Services.Rules.RuleOperators;

namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// Checks a rule against the field catalog, the limits of a rule, the other segments it refers to and, when it is
/// saved, the stores and the other rows it names
/// </summary>
public class SegmentRuleValidator : ISegmentRuleValidator
{
    /// <summary>
    /// How many of a condition's ids that name nothing its error lists
    /// </summary>
    public const int MaxMissingIdsShown = 10;

    private static readonly HashSet<string> _noValueOperators = [IsEmpty, IsNotEmpty];
    private static readonly HashSet<string> _twoValueOperators = [Between, BetweenDates];
    private static readonly HashSet<string> _listOperators = [In, NotIn, AnyOf, AllOf, NoneOf];
    private static readonly HashSet<string> _dayCountOperators = [InLastDays, MoreThanDaysAgo];
    private static readonly HashSet<RuleValueSource> _rowSources =
    [
        RuleValueSource.Countries, RuleValueSource.StateProvinces, RuleValueSource.CustomerRoles, RuleValueSource.CustomerAttributeValues,
        RuleValueSource.Products, RuleValueSource.Categories, RuleValueSource.Manufacturers, RuleValueSource.Vendors, RuleValueSource.Affiliates
    ];
    private static readonly HashSet<string> _knownOperators = typeof(RuleOperators)
        .GetFields().Select(field => (string)field.GetValue(null)).ToHashSet(StringComparer.Ordinal);

    protected readonly IRuleFieldCatalog _ruleFieldCatalog;
    protected readonly ISegmentRuleSerializer _segmentRuleSerializer;
    protected readonly ISegmentService _segmentService;
    protected readonly ILocalizationService _localizationService;
    protected readonly ILocaleResourceFormatter _localeResourceFormatter;
    protected readonly ISegmentValueLookupService _segmentValueLookupService;

    public SegmentRuleValidator(IRuleFieldCatalog ruleFieldCatalog,
        ISegmentRuleSerializer segmentRuleSerializer,
        ISegmentService segmentService,
        ILocalizationService localizationService,
        ILocaleResourceFormatter localeResourceFormatter,
        ISegmentValueLookupService segmentValueLookupService)
    {
        _ruleFieldCatalog = ruleFieldCatalog;
        _segmentRuleSerializer = segmentRuleSerializer;
        _segmentService = segmentService;
        _localizationService = localizationService;
        _localeResourceFormatter = localeResourceFormatter;
        _segmentValueLookupService = segmentValueLookupService;
    }

    public virtual Task<IReadOnlyList<RuleValidationError>> ValidateAsync(SegmentRule rule, int segmentId) =>
        ValidateAsync(rule, segmentId, true);

    public virtual Task<IReadOnlyList<RuleValidationError>> ValidateSavedAsync(SegmentRule rule, int segmentId) =>
        ValidateAsync(rule, segmentId, false);

    public virtual async Task<IReadOnlyList<RuleValidationError>> ValidateStoredAsync(Segment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);

        var parsed = _segmentRuleSerializer.Parse(segment.RuleJson ?? string.Empty);

        return parsed.Success ? await ValidateSavedAsync(parsed.Rule, segment.Id) : await LocalizeAsync(parsed.Errors);
    }

    /// <param name="rule">The rule</param>
    /// <param name="segmentId">The segment that owns the rule (0 for a new one)</param>
    /// <param name="saving">Whether the rule is about to be saved, rather than a stored rule about to run: then its stored
    /// form must be within the size limit, the stores it names stores the admin can choose, and the other ids it names
    /// rows that exist (a rule saved before such a row was deleted keeps running)</param>
    protected virtual async Task<IReadOnlyList<RuleValidationError>> ValidateAsync(SegmentRule rule, int segmentId, bool saving)
    {
        var problems = new List<Problem>();
        if (rule?.Root == null)
        {
            problems.Add(new Problem(string.Empty, null, RuleErrorKeys.JsonMalformed, []));
            return await LocalizeAsync(problems);
        }

        var conditions = new List<(string Path, RuleCondition Condition)>();
        CheckGroup(rule.Root, string.Empty, 1, problems, conditions);

        if (conditions.Count > RuleValueLimits.MaxConditions)
            problems.Add(new Problem(string.Empty, null, RuleErrorKeys.TooManyConditions, [RuleValueLimits.MaxConditions, conditions.Count]));

        var tableConditions = conditions.Count(item => _ruleFieldCatalog.GetField(item.Condition.Field)?.ReadsOtherTables == true);
        if (tableConditions > RuleValueLimits.MaxTableConditions)
            problems.Add(new Problem(string.Empty, null, RuleErrorKeys.TooManyTableConditions, [RuleValueLimits.MaxTableConditions, tableConditions]));

        foreach (var (path, condition) in conditions)
            CheckCondition(condition, path, problems);

        //stored as written again, which escapes what the rule builder sends raw (apostrophes, letters beyond ASCII); a
        //stored rule was read within the limit
        if (saving && problems.Count == 0 && _segmentRuleSerializer.Serialize(rule).Length > RuleValueLimits.MaxJsonLength)
            problems.Add(new Problem(string.Empty, null, RuleErrorKeys.JsonTooLarge, [RuleValueLimits.MaxJsonLength / 1024]));

        //references to other segments, stores and rows only once the rule itself is sound
        if (problems.Count == 0)
        {
            await CheckSegmentReferencesAsync(conditions, segmentId, problems);
            if (saving)
            {
                await CheckStoresAsync(conditions, problems);
                await CheckRowsExistAsync(conditions, problems);
            }
        }

        return await LocalizeAsync(problems);
    }

    protected virtual void CheckGroup(RuleGroup group, string path, int depth, List<Problem> problems,
        List<(string, RuleCondition)> conditions)
    {
        if (depth > RuleValueLimits.MaxDepth)
        {
            problems.Add(new Problem(path, null, RuleErrorKeys.TooDeep, [RuleValueLimits.MaxDepth]));
            return;
        }

        var children = group.Children ?? [];
        //an empty root is an empty rule (every eligible customer); an empty inner group is a mistake
        if (children.Count == 0 && depth > 1)
            problems.Add(new Problem(path, null, RuleErrorKeys.EmptyGroup, []));

        for (var i = 0; i < children.Count; i++)
        {
            var childPath = path.Length == 0 ? i.ToString(CultureInfo.InvariantCulture) : $"{path}.{i}";
            switch (children[i])
            {
                case RuleGroup inner:
                    CheckGroup(inner, childPath, depth + 1, problems, conditions);
                    break;
                case RuleCondition condition:
                    conditions.Add((childPath, condition));
                    break;
                default:
                    problems.Add(new Problem(childPath, null, RuleErrorKeys.JsonMalformed, []));
                    break;
            }
        }
    }

    protected virtual void CheckCondition(RuleCondition condition, string path, List<Problem> problems)
    {
        var field = _ruleFieldCatalog.GetField(condition.Field);
        if (field == null)
        {
            problems.Add(new Problem(path, null, RuleErrorKeys.UnknownField, [Truncate(condition.Field)], Truncate(condition.Field)));
            return;
        }

        void Add(string key, params object[] args) => problems.Add(new Problem(path, field, key, args));

        if (string.IsNullOrEmpty(condition.Operator) || !_knownOperators.Contains(condition.Operator))
        {
            Add(RuleErrorKeys.UnknownOperator, Truncate(condition.Operator));
            return;
        }

        if (!field.Operators.Contains(condition.Operator))
        {
            Add(RuleErrorKeys.OperatorNotAllowed, condition.Operator);
            return;
        }

        CheckPeriodAndKey(condition, field, Add);

        var op = condition.Operator;
        var values = condition.Values ?? [];
        if (_noValueOperators.Contains(op))
        {
            if (values.Count != 0)
                Add(RuleErrorKeys.NoValueExpected);
            return;
        }

        if (_listOperators.Contains(op))
        {
            if (values.Count == 0)
            {
                Add(RuleErrorKeys.EmptyList);
                return;
            }

            var maxValues = RuleValueLimits.MaxValuesOf(field.Name);
            if (values.Count > maxValues)
            {
                Add(RuleErrorKeys.TooManyValues, maxValues);
                return;
            }
        }
        else if (_twoValueOperators.Contains(op) ? values.Count != 2 : values.Count != 1)
        {
            Add(_twoValueOperators.Contains(op) ? RuleErrorKeys.TwoValuesExpected : RuleErrorKeys.OneValueExpected);
            return;
        }

        var valid = true;
        foreach (var value in values)
            valid &= CheckValue(value, op, field, Add);

        if (valid && op == Between && RuleValues.Decimal(values[0]) > RuleValues.Decimal(values[1]))
            Add(RuleErrorKeys.RangeReversed);
        if (valid && op == BetweenDates && RuleValues.Date(values[0]) > RuleValues.Date(values[1]))
            Add(RuleErrorKeys.RangeReversed);
    }

    protected virtual void CheckPeriodAndKey(RuleCondition condition, RuleFieldDescriptor field, Action<string, object[]> add)
    {
        if (condition.PeriodDays.HasValue && !field.HasPeriod)
            add(RuleErrorKeys.PeriodNotAllowed, []);
        else if (!condition.PeriodDays.HasValue && field.RequiresPeriod)
            add(RuleErrorKeys.PeriodRequired, []);
        else if (condition.PeriodDays is < 1 or > RuleValueLimits.MaxDays)
            add(RuleErrorKeys.PeriodOutOfRange, [1, RuleValueLimits.MaxDays]);

        if (!field.HasKey)
        {
            if (!string.IsNullOrEmpty(condition.Key))
                add(RuleErrorKeys.KeyNotAllowed, []);
            return;
        }

        //the key of a customer attribute condition is the id of the attribute, chosen from the shop's attributes
        if (field.KeySource == RuleValueSource.CustomerAttributes)
        {
            if (string.IsNullOrWhiteSpace(condition.Key))
                add(RuleErrorKeys.CustomerAttributeKeyRequired, []);
            else if (!(int.TryParse(condition.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var attributeId) && attributeId > 0))
                add(RuleErrorKeys.CustomerAttributeKeyInvalid, []);
            return;
        }

        if (string.IsNullOrWhiteSpace(condition.Key))
            add(RuleErrorKeys.KeyRequired, []);
        else if (condition.Key.Length > RuleValueLimits.MaxTextLength || condition.Key.Any(char.IsControl))
            add(RuleErrorKeys.KeyInvalid, [RuleValueLimits.MaxTextLength]);
    }

    protected virtual bool CheckValue(JsonElement value, string op, RuleFieldDescriptor field, Action<string, object[]> add)
    {
        if (_dayCountOperators.Contains(op))
        {
            if (!RuleValues.TryGetInt(value, out var days))
            {
                add(RuleErrorKeys.WholeNumberExpected, []);
                return false;
            }

            if (days < 0 || days > RuleValueLimits.MaxDays)
            {
                add(RuleErrorKeys.DaysOutOfRange, [0, RuleValueLimits.MaxDays]);
                return false;
            }

            return true;
        }

        switch (field.DataType)
        {
            case RuleDataType.Date:
                if (RuleValues.TryGetDate(value, out _))
                    return true;
                add(RuleErrorKeys.DateExpected, [RuleValues.DateFormat]);
                return false;

            case RuleDataType.Boolean:
                if (RuleValues.TryGetBoolean(value, out _))
                    return true;
                add(RuleErrorKeys.BooleanExpected, []);
                return false;

            case RuleDataType.Text:
                if (!RuleValues.TryGetString(value, out var text) || text.Length == 0)
                {
                    add(RuleErrorKeys.TextExpected, []);
                    return false;
                }

                if (text.Length > RuleValueLimits.MaxTextLength)
                {
                    add(RuleErrorKeys.TextTooLong, [RuleValueLimits.MaxTextLength]);
                    return false;
                }

                //no customer data holds them, and some databases refuse them (PostgreSQL: NUL)
                if (text.Any(char.IsControl))
                {
                    add(RuleErrorKeys.TextInvalid, []);
                    return false;
                }

                return true;

            case RuleDataType.Choice or RuleDataType.ChoiceSet when field.AllowedValues != null:
                if (RuleValues.TryGetString(value, out var choice) && field.AllowedValues.Contains(choice))
                    return true;
                add(RuleErrorKeys.ValueNotAllowed, [string.Join(", ", field.AllowedValues)]);
                return false;

            case RuleDataType.Choice or RuleDataType.ChoiceSet:
                if (!RuleValues.TryGetInt(value, out var id))
                {
                    add(RuleErrorKeys.IdExpected, []);
                    return false;
                }

                if (id < field.MinValue || id > field.MaxValue)
                {
                    add(RuleErrorKeys.NumberOutOfRange, [field.MinValue, field.MaxValue]);
                    return false;
                }

                return true;

            default:
                if (!RuleValues.TryGetDecimal(value, out var number))
                {
                    add(RuleErrorKeys.NumberExpected, []);
                    return false;
                }

                if (field.IntegerOnly && number != decimal.Truncate(number))
                {
                    add(RuleErrorKeys.WholeNumberExpected, []);
                    return false;
                }

                //whole numbers are compared as int columns (counts, ages, days)
                var maxValue = field.IntegerOnly ? Math.Min(field.MaxValue, int.MaxValue) : field.MaxValue;
                if (number < field.MinValue || number > maxValue)
                {
                    add(RuleErrorKeys.NumberOutOfRange, [field.MinValue, maxValue]);
                    return false;
                }

                return true;
        }
    }

    /// <summary>
    /// A segment may not refer to itself, directly or through other segments, nor to segments that don't exist. The
    /// segments named are read in one look-up, each id reported once per condition.
    /// </summary>
    protected virtual async Task CheckSegmentReferencesAsync(List<(string Path, RuleCondition Condition)> conditions, int segmentId,
        List<Problem> problems)
    {
        var segmentConditions = conditions.Where(c => c.Condition.Field == RuleFields.SegmentMember).ToList();
        var named = segmentConditions
            .SelectMany(item => RuleValues.Ints(item.Condition.Values))
            .Where(id => segmentId <= 0 || id != segmentId)
            .Distinct()
            .ToList();
        var existing = named.Count > 0
            ? (await _segmentService.GetSegmentsByIdsAsync(named)).Where(segment => segment != null).ToDictionary(segment => segment.Id)
            : new Dictionary<int, Segment>();

        //the chains from the segments named start with what was just read
        var references = segmentId > 0
            ? existing.Values.ToDictionary(segment => segment.Id, ReferencedSegmentIds)
            : new Dictionary<int, IReadOnlyCollection<int>>();
        foreach (var (path, condition) in segmentConditions)
        {
            var field = _ruleFieldCatalog.GetField(condition.Field);
            var missing = new List<int>();
            foreach (var referencedId in RuleValues.Ints(condition.Values).Distinct())
            {
                if (segmentId > 0 && referencedId == segmentId)
                {
                    problems.Add(new Problem(path, field, RuleErrorKeys.SegmentSelfReference, []));
                    continue;
                }

                if (!existing.TryGetValue(referencedId, out var segment))
                {
                    missing.Add(referencedId);
                    continue;
                }

                if (segmentId > 0 && await LeadsToAsync(referencedId, segmentId, references))
                    problems.Add(new Problem(path, field, RuleErrorKeys.SegmentCycle, [segment.Name]));
            }

            AddMissingIds(problems, path, field, missing, RuleErrorKeys.SegmentNotFound, RuleErrorKeys.SegmentsNotFound);
        }
    }

    /// <summary>
    /// A condition on stores names only stores the admin can pick: not deleted, not unknown
    /// </summary>
    protected virtual async Task CheckStoresAsync(List<(string Path, RuleCondition Condition)> conditions, List<Problem> problems)
    {
        var storeConditions = conditions
            .Select(item => (item.Path, item.Condition, Field: _ruleFieldCatalog.GetField(item.Condition.Field)))
            .Where(item => item.Field?.ValueSource == RuleValueSource.Stores)
            .ToList();
        if (storeConditions.Count == 0)
            return;

        var named = storeConditions.SelectMany(item => RuleValues.Ints(item.Condition.Values)).Distinct().ToList();
        var existing = (await _segmentValueLookupService.GetByIdsAsync(RuleValueSource.Stores, named))
            .Select(store => store.Id).ToHashSet();

        foreach (var (path, condition, field) in storeConditions)
        {
            var missing = RuleValues.Ints(condition.Values).Distinct().Where(storeId => !existing.Contains(storeId)).ToList();
            AddMissingIds(problems, path, field, missing, RuleErrorKeys.StoreNotFound, RuleErrorKeys.StoresNotFound);
        }
    }

    /// <summary>
    /// A condition picking ids from a table (roles, products, countries ...) names rows that exist; deleted products,
    /// categories, manufacturers and vendors are rows still (a segment may target the buyers of a discontinued product)
    /// </summary>
    protected virtual async Task CheckRowsExistAsync(List<(string Path, RuleCondition Condition)> conditions, List<Problem> problems)
    {
        var rowConditions = conditions
            .Select(item => (item.Path, item.Condition, Field: _ruleFieldCatalog.GetField(item.Condition.Field)))
            .Where(item => item.Field != null && _rowSources.Contains(item.Field.ValueSource))
            .ToList();

        var existingOfSource = new Dictionary<RuleValueSource, IReadOnlySet<int>>();
        foreach (var ofSource in rowConditions.GroupBy(item => item.Field.ValueSource))
        {
            var named = ofSource.SelectMany(item => RuleValues.Ints(item.Condition.Values)).Distinct().ToList();
            if (named.Count > 0)
                existingOfSource[ofSource.Key] = await _segmentValueLookupService.GetExistingIdsAsync(ofSource.Key, named);
        }

        foreach (var (path, condition, field) in rowConditions)
        {
            var existing = existingOfSource.GetValueOrDefault(field.ValueSource);
            var missing = RuleValues.Ints(condition.Values).Distinct().Where(id => existing?.Contains(id) != true).ToList();
            AddMissingIds(problems, path, field, missing, RuleErrorKeys.ValueNotFound, RuleErrorKeys.ValuesNotFound);
        }
    }

    /// <summary>
    /// One problem for the ids of a condition that name nothing: the id when there is one, else how many there are
    /// and the first <see cref="MaxMissingIdsShown"/> of them
    /// </summary>
    protected virtual void AddMissingIds(List<Problem> problems, string path, RuleFieldDescriptor field, IReadOnlyList<int> missing,
        string oneResourceKey, string severalResourceKey)
    {
        if (missing.Count == 0)
            return;

        if (missing.Count == 1)
        {
            problems.Add(new Problem(path, field, oneResourceKey, [missing[0]]));
            return;
        }

        var shown = string.Join(", ", missing.Take(MaxMissingIdsShown).Select(id => id.ToString(CultureInfo.InvariantCulture)));
        problems.Add(new Problem(path, field, severalResourceKey, [missing.Count > MaxMissingIdsShown ? shown + ", ..." : shown, missing.Count]));
    }

    /// <summary>
    /// Whether the rule of segment <paramref name="fromId"/> refers, through any chain, to <paramref name="targetId"/>
    /// </summary>
    protected virtual async Task<bool> LeadsToAsync(int fromId, int targetId, Dictionary<int, IReadOnlyCollection<int>> references)
    {
        var visited = new HashSet<int>();
        var pending = new Stack<int>([fromId]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!visited.Add(current))
                continue;

            foreach (var next in await GetReferencedSegmentIdsAsync(current, references))
            {
                if (next == targetId)
                    return true;
                pending.Push(next);
            }
        }

        return false;
    }

    protected virtual async Task<IReadOnlyCollection<int>> GetReferencedSegmentIdsAsync(int segmentId, Dictionary<int, IReadOnlyCollection<int>> references)
    {
        if (references.TryGetValue(segmentId, out var known))
            return known;

        var ids = ReferencedSegmentIds(await _segmentService.GetSegmentByIdAsync(segmentId));
        references[segmentId] = ids;
        return ids;
    }

    /// <summary>
    /// The segments the segment's stored rule names
    /// </summary>
    protected virtual IReadOnlyCollection<int> ReferencedSegmentIds(Segment segment)
    {
        var ids = new HashSet<int>();
        if (!string.IsNullOrEmpty(segment?.RuleJson))
        {
            var parsed = _segmentRuleSerializer.Parse(segment.RuleJson);
            if (parsed.Success)
                CollectSegmentIds(parsed.Rule.Root, ids, 0);
        }

        return ids;
    }

    private static void CollectSegmentIds(RuleGroup group, HashSet<int> ids, int depth)
    {
        if (depth > RuleValueLimits.MaxDepth)
            return;

        foreach (var child in group.Children ?? [])
        {
            if (child is RuleGroup inner)
                CollectSegmentIds(inner, ids, depth + 1);
            else if (child is RuleCondition { Field: RuleFields.SegmentMember } condition)
                foreach (var value in condition.Values ?? [])
                    if (RuleValues.TryGetInt(value, out var id))
                        ids.Add(id);
        }
    }

    /// <summary>
    /// Messages in the admin's language: {0} is the condition, the next placeholders the error's details
    /// </summary>
    protected virtual async Task<IReadOnlyList<RuleValidationError>> LocalizeAsync(List<Problem> problems)
    {
        var errors = new List<RuleValidationError>();
        foreach (var problem in problems)
        {
            string subject;
            if (problem.Field != null)
                subject = await _localeResourceFormatter.FormatAsync(RuleErrorKeys.ConditionSubject,
                    await _localizationService.GetResourceAsync(problem.Field.ResourceKey), DisplayPath(problem.Path));
            else if (problem.UnknownField != null)
                subject = await _localeResourceFormatter.FormatAsync(RuleErrorKeys.ConditionSubject, problem.UnknownField, DisplayPath(problem.Path));
            else if (problem.Path.Length == 0)
                subject = await _localizationService.GetResourceAsync(RuleErrorKeys.RuleSubject);
            else
                subject = await _localeResourceFormatter.FormatAsync(RuleErrorKeys.NodeSubject, DisplayPath(problem.Path));

            var message = await _localeResourceFormatter.FormatAsync(problem.ResourceKey, CultureInfo.CurrentCulture, [subject, .. problem.Args]);

            errors.Add(new RuleValidationError(problem.Path, problem.ResourceKey, message, problem.Args));
        }

        return errors;
    }

    public virtual Task<IReadOnlyList<RuleValidationError>> LocalizeAsync(IReadOnlyList<RuleValidationError> errors) =>
        LocalizeAsync((errors ?? []).Select(error => new Problem(error.Path, null, error.ResourceKey, [.. error.Args ?? []])).ToList());

    /// <summary>
    /// The path as admins count: from 1
    /// </summary>
    protected static string DisplayPath(string path) =>
        string.Join(".", path.Split('.', StringSplitOptions.RemoveEmptyEntries).Select(part => (int.Parse(part, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture)));

    private static string Truncate(string text) =>
        text == null ? string.Empty : text.Length <= 100 ? text : text[..100] + "...";

    protected record Problem(string Path, RuleFieldDescriptor Field, string ResourceKey, object[] Args, string UnknownField = null);
}
