namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// Reads names back out of listing lines: the type a line declares or belongs to, and a member's name.
/// Keys are types printed as <see cref="ApiFormats.TypeFormat"/> does (no variance, no constraints).
/// </summary>
public static class ApiLineParser
{
    private static readonly HashSet<string> TypeModifiers = new(StringComparer.Ordinal)
    {
        "public", "protected", "internal", "static", "abstract", "sealed", "readonly", "ref"
    };

    private static readonly HashSet<string> TypeKinds = new(StringComparer.Ordinal)
    {
        "class", "record", "struct", "interface", "enum", "delegate"
    };

    /// <summary>The type a <c>T</c> line declares, or the containing type of an <c>M</c> line's member.</summary>
    public static string TypeKey(ApiLine line) => line.IsType ? DeclaredType(line.Text) : Member(line.Text).ContainingType;

    /// <summary>The declared type of a type line, as <see cref="ApiFormats.TypeFormat"/> prints it.</summary>
    public static string DeclaredType(string typeLine)
    {
        var position = 0;
        while (true)
        {
            var space = typeLine.IndexOf(' ', position);
            if (space < 0)
                throw new FormatException($"Not a type line: '{typeLine}'");
            var word = typeLine[position..space];
            position = space + 1;
            if (TypeKinds.Contains(word))
                break;
            if (!TypeModifiers.Contains(word))
                throw new FormatException($"Not a type line: '{typeLine}'");
        }

        var depth = 0;
        var end = typeLine.Length;
        for (var i = position; i < typeLine.Length; i++)
        {
            var c = typeLine[i];
            if (c == '<') depth++;
            else if (c == '>') depth--;
            else if (c == ' ' && depth == 0) { end = i; break; }
        }

        return typeLine[position..end].Replace("<in ", "<").Replace("<out ", "<").Replace(", in ", ", ").Replace(", out ", ", ");
    }

    /// <summary>The containing type and the name (generic arity dropped) of a member line's member.</summary>
    public static (string ContainingType, string Name) Member(string memberLine)
    {
        var qualified = QualifiedName(memberLine);
        var depth = 0;
        var lastDot = -1;
        for (var i = 0; i < qualified.Length; i++)
        {
            var c = qualified[i];
            if (c == '<') depth++;
            else if (c == '>') depth--;
            else if (c == '.' && depth == 0)
            {
                lastDot = i;
                if (qualified.AsSpan(i + 1).StartsWith("operator "))
                    break;
            }
        }

        if (lastDot < 0)
            throw new FormatException($"No containing type in member line: '{memberLine}'");

        var name = qualified[(lastDot + 1)..];
        var generic = name.StartsWith("operator ", StringComparison.Ordinal) ? -1 : name.IndexOf('<');
        return (qualified[..lastDot], generic < 0 ? name : name[..generic]);
    }

    /// <summary>The member's name with its containing type, e.g. <c>Nop.Data.IRepository&lt;TEntity&gt;.GetByIdAsync</c>.</summary>
    private static string QualifiedName(string text)
    {
        var depth = 0;
        var start = 0;
        var stop = text.Length;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (depth == 0 && text.AsSpan(i).StartsWith(".operator "))
            {
                stop = text.IndexOf('(', i + ".operator ".Length);
                break;
            }

            if (c == '<') depth++;
            else if (c == '>') depth--;
            else if (c == '(')
            {
                if (depth == 0 && i > 0 && text[i - 1] != ' ') { stop = i; break; }
                depth++;
            }
            else if (c == '[')
            {
                if (depth == 0 && text.AsSpan(0, i).EndsWith(".this")) { stop = i; break; }
                depth++;
            }
            else if (c is ')' or ']') depth--;
            else if (c == ' ' && depth == 0)
            {
                if (text.AsSpan(i).StartsWith(" {") || text.AsSpan(i).StartsWith(" = ")) { stop = i; break; }
                start = i + 1;
            }
        }

        return text[start..stop];
    }
}
