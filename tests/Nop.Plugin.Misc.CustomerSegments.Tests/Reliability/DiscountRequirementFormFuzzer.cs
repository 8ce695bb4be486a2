namespace Nop.Plugin.Misc.CustomerSegments.Tests.Reliability;

/// <summary>
/// Forms posted to the discount requirement's configuration (<c>CustomerSegmentsDiscountController.Configure</c>), as
/// the browser sends them: repeated keys, every value a string. Each starts from a valid form (a discount, a new or
/// one of its requirements, distinct existing segments, none both included and excluded) and gets zero to three
/// mutations: values that do not exist (a deleted segment's among them), that are not numbers, that name another discount's or another rule's
/// requirement, duplicates, huge lists, text meant for SQL or a script
/// </summary>
public class DiscountRequirementFormFuzzer
{
    /// <summary>
    /// The shop the forms are made for
    /// </summary>
    public record Shop(int DiscountId, int OtherDiscountId, IReadOnlyList<int> Requirements, IReadOnlyList<int> OtherDiscountsRequirements,
        IReadOnlyList<int> OtherRequirements, IReadOnlyList<int> SegmentIds, IReadOnlyList<int> DeletedSegmentIds);

    public static readonly string[] HostileTexts =
    [
        "", " ", "abc", "1.5", "1,5", "1e3", "99999999999", "-99999999999", "2147483648", "NaN", "true", "null", "undefined",
        "1; DROP TABLE Setting;--", "1' OR '1'='1", "1) OR (1=1", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
        "{{7*7}}", "[1,2]", "\u0661", "\0", "１", new string('9', 5000)
    ];

    private readonly Random _random;
    private readonly Shop _shop;

    public DiscountRequirementFormFuzzer(int seed, Shop shop)
    {
        _random = new Random(seed);
        _shop = shop;
    }

    public IEnumerable<(string Label, List<KeyValuePair<string, string>> Form)> Cases(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var form = ValidForm();
            var mutations = _random.Next(10) switch { < 3 => 0, < 7 => 1, < 9 => 2, _ => 3 };
            var labels = new List<string>();
            for (var m = 0; m < mutations; m++)
                labels.Add(Mutate(form));

            yield return ($"#{i} {(labels.Count == 0 ? "valid" : string.Join(" + ", labels))}", form);
        }
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private List<KeyValuePair<string, string>> ValidForm()
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("DiscountId", _shop.DiscountId.ToString())
        };
        if (_random.Next(2) == 0)
            form.Add(new("RequirementId", _random.Next(3) == 0 || _shop.Requirements.Count == 0 ? "0" : Pick(_shop.Requirements).ToString()));

        var shuffled = _shop.SegmentIds.OrderBy(_ => _random.Next()).ToList();
        var included = 1 + _random.Next(Math.Min(3, shuffled.Count - 1));
        var excluded = _random.Next(Math.Min(3, shuffled.Count - included + 1));
        foreach (var id in shuffled.Take(included))
            form.Add(new("IncludeSegmentIds", id.ToString()));
        foreach (var id in shuffled.Skip(included).Take(excluded))
            form.Add(new("ExcludeSegmentIds", id.ToString()));
        if (_random.Next(2) == 0)
            form.Add(new("RequireAll", _random.Next(2) == 0 ? "true" : "false"));

        return form;
    }

    private string AnyInt() => _random.Next(10) switch
    {
        0 => "0",
        1 => (-1 - _random.Next(1000)).ToString(),
        2 => int.MaxValue.ToString(),
        3 => int.MinValue.ToString(),
        4 => (100_000 + _random.Next(1000)).ToString(),
        5 => Pick(HostileTexts),
        6 => _random.Next(2) == 0 ? $" {Pick(_shop.SegmentIds)} " : Pick(_shop.DeletedSegmentIds).ToString(),
        _ => Pick(_shop.SegmentIds).ToString()
    };

    private static void Set(List<KeyValuePair<string, string>> form, string key, string value)
    {
        form.RemoveAll(pair => pair.Key == key);
        form.Add(new(key, value));
    }

    private string Mutate(List<KeyValuePair<string, string>> form)
    {
        var list = _random.Next(2) == 0 ? "IncludeSegmentIds" : "ExcludeSegmentIds";
        var values = form.Where(pair => pair.Key == list).ToList();
        switch (_random.Next(16))
        {
            case 0:
            {
                var value = _random.Next(3) switch { 0 => "0", 1 => int.MaxValue.ToString(), _ => (10_000 + _random.Next(1000)).ToString() };
                Set(form, "DiscountId", _random.Next(4) == 0 ? Pick(HostileTexts) : _random.Next(3) == 0 ? (-_random.Next(1, 100)).ToString() : value);
                return "discount id";
            }
            case 1:
                Set(form, "DiscountId", _shop.OtherDiscountId.ToString());
                return "other discount";
            case 2:
                form.RemoveAll(pair => pair.Key == "DiscountId");
                return "no discount id";
            case 3:
            {
                var pool = _shop.OtherDiscountsRequirements.Concat(_shop.OtherRequirements).ToList();
                var value = _random.Next(4) switch
                {
                    0 => Pick(pool).ToString(),
                    1 => (-_random.Next(1, 1000)).ToString(),
                    2 => int.MaxValue.ToString(),
                    _ => (50_000 + _random.Next(1000)).ToString()
                };
                Set(form, "RequirementId", value);
                return $"requirement id {value}";
            }
            case 4:
                Set(form, "RequirementId", Pick(HostileTexts));
                return "malformed requirement id";
            case 5:
                Set(form, "RequireAll", Pick(HostileTexts));
                return "malformed require all";
            case 6:
                form.RemoveAll(pair => pair.Key == "IncludeSegmentIds");
                return "no include";
            case 7:
                form.Add(new(list, AnyInt()));
                return $"{list} + value";
            case 8:
                if (values.Count > 0)
                    form.Add(Pick(values));
                else
                    form.AddRange([new(list, _shop.SegmentIds[0].ToString()), new(list, _shop.SegmentIds[0].ToString())]);
                return $"{list} duplicate";
            case 9:
            {
                var included = form.Where(pair => pair.Key == "IncludeSegmentIds").Select(pair => pair.Value).ToList();
                form.Add(new("ExcludeSegmentIds", included.Count > 0 ? Pick(included) : Pick(_shop.SegmentIds).ToString()));
                return "included and excluded";
            }
            case 10:
            {
                var size = _random.Next(3) == 0 ? 5_000 : 300;
                for (var i = 0; i < size; i++)
                    form.Add(new(list, _random.Next(4) == 0 ? Pick(_shop.SegmentIds).ToString() : (200_000 + i).ToString()));
                return $"{list} huge ({size})";
            }
            case 11:
            {
                //the same segments many times: valid ids, a huge list
                var id = Pick(_shop.SegmentIds).ToString();
                for (var i = 0; i < 2_000; i++)
                    form.Add(new(list, id));
                return $"{list} one id 2000 times";
            }
            case 12:
                form.Add(new(list, Pick(HostileTexts)));
                return $"{list} hostile text";
            case 13:
                form.Add(new(Pick(["Warnings", "AvailableSegments", "CustomProperties[x]", "includesegmentids", "__RequestVerificationToken"]), Pick(HostileTexts)));
                return "extra key";
            case 14:
                if (values.Count > 0)
                    form.Remove(Pick(values));
                return $"{list} one removed";
            default:
                form.Add(new(list, _random.Next(2) == 0 ? "0" : (-_random.Next(1, 100)).ToString()));
                return $"{list} non-positive";
        }
    }
}
