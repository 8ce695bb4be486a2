namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// The real nopCommerce 4.90.3 API listing (../shared/nop-api/nopCommerce-4.90.3.api.txt), indexed by type and member.
/// </summary>
public sealed class ApiListing
{
    public const string FileName = "nopCommerce-4.90.3.api.txt";

    private readonly HashSet<string> _lines;
    private readonly ILookup<string, ApiLine> _byType;
    private readonly ILookup<string, ApiLine> _typeLines;
    private readonly ILookup<string, ApiLine> _byMember;
    private readonly ILookup<string, ApiLine> _typesBySimpleName;

    public ApiListing(IEnumerable<string> lines)
    {
        Lines = lines.Where(line => line.Length > 0).Select(ApiLine.Parse).ToList();
        _lines = Lines.Select(line => line.ToString()).ToHashSet(StringComparer.Ordinal);
        _byType = Lines.ToLookup(ApiLineParser.TypeKey, StringComparer.Ordinal);
        _typeLines = Lines.Where(line => line.IsType).ToLookup(ApiLineParser.TypeKey, StringComparer.Ordinal);
        _byMember = Lines.Where(line => !line.IsType).ToLookup(MemberKey, StringComparer.Ordinal);
        _typesBySimpleName = Lines.Where(line => line.IsType)
            .ToLookup(line => SimpleName(ApiLineParser.TypeKey(line)), StringComparer.Ordinal);
    }

    public IReadOnlyList<ApiLine> Lines { get; }

    public bool Contains(ApiLine line) => _lines.Contains(line.ToString());

    /// <summary>The type line and all member lines of one type (nested types not included).</summary>
    public IEnumerable<ApiLine> LinesOfType(string typeKey) => _byType[typeKey];

    public IEnumerable<ApiLine> TypeLines(string typeKey) => _typeLines[typeKey];

    /// <summary>Listing lines of members with the same containing type and name (all overloads).</summary>
    public IEnumerable<ApiLine> MembersNamed(string typeKey, string name) => _byMember[typeKey + "::" + name];

    /// <summary>Type lines of types with this simple name, e.g. <c>Customer</c>, in any namespace.</summary>
    public IEnumerable<ApiLine> TypesWithSimpleName(string simpleName) => _typesBySimpleName[simpleName];

    public static string MemberKey(ApiLine line)
    {
        var (type, name) = ApiLineParser.Member(line.Text);
        return type + "::" + name;
    }

    public static string SimpleName(string typeKey)
    {
        var generic = typeKey.IndexOf('<');
        var name = generic < 0 ? typeKey : typeKey[..generic];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    public static ApiListing Load() => new(File.ReadAllLines(Locate()));

    /// <summary>
    /// <c>$NOP_API_DIR</c>, else the first <c>shared/nop-api</c> folder found walking up from the test binaries
    /// (CI clones the repository with <c>shared/</c> beside it).
    /// </summary>
    public static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("NOP_API_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            var path = Path.Combine(configured, FileName);
            return File.Exists(path) ? path : throw new FileNotFoundException($"NOP_API_DIR has no {FileName}", path);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "nop-api", FileName);
            if (File.Exists(path))
                return path;
        }

        throw new FileNotFoundException(
            $"No shared/nop-api/{FileName} in any folder above {AppContext.BaseDirectory}; set NOP_API_DIR to its folder.");
    }
}
