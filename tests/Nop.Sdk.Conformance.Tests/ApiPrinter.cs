using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// Prints every type and member of an assembly that another assembly can see, exactly as the nopCommerce API
/// listing does (../shared/nop-api/README.md: which symbols, display formats, type line rules, ordinal order).
/// </summary>
public static class ApiPrinter
{
    private static readonly Regex HiddenAccessor =
        new(@"(?<=[{;]) (?:private protected|private|internal) (?:readonly )?(?:get|set|init);", RegexOptions.Compiled);
    private static readonly Regex ReadOnlyAccessor =
        new(@"(?<=[{;] (?:[a-z]+ )*)readonly (?=(?:get|set|init);)", RegexOptions.Compiled);
    private static readonly Regex ReadOnlyProperty =
        new(@"^((?:(?:public|protected|internal|private|static|virtual|override|abstract|sealed|extern|new|required) )*)readonly ", RegexOptions.Compiled);

    /// <summary>All lines of an assembly, sorted by ordinal comparison, without duplicates.</summary>
    public static IReadOnlyList<ApiLine> Print(IAssemblySymbol assembly)
    {
        var name = assembly.Identity.Name;
        var lines = new List<ApiLine>();
        foreach (var type in VisibleTypes(assembly.GlobalNamespace))
        {
            lines.Add(new ApiLine('T', name, TypeLine(type)));
            lines.AddRange(VisibleMembers(type).Select(member => new ApiLine('M', name, MemberLine(member))));
        }

        return lines
            .DistinctBy(line => line.ToString())
            .OrderBy(line => line.ToString(), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The lines of one type: its type line and the lines of its visible members (not nested types).</summary>
    public static IEnumerable<ApiLine> PrintType(INamedTypeSymbol type)
    {
        var name = type.ContainingAssembly.Identity.Name;
        yield return new ApiLine('T', name, TypeLine(type));
        foreach (var member in VisibleMembers(type))
            yield return new ApiLine('M', name, MemberLine(member));
    }

    public static IEnumerable<INamedTypeSymbol> VisibleTypes(INamespaceSymbol ns)
    {
        foreach (var type in ns.GetTypeMembers().Where(t => t.DeclaredAccessibility == Accessibility.Public))
            foreach (var visible in WithVisibleNestedTypes(type))
                yield return visible;

        foreach (var child in ns.GetNamespaceMembers())
            foreach (var type in VisibleTypes(child))
                yield return type;
    }

    private static IEnumerable<INamedTypeSymbol> WithVisibleNestedTypes(INamedTypeSymbol type)
    {
        yield return type;
        foreach (var nested in type.GetTypeMembers().Where(IsVisibleNestedType))
            foreach (var visible in WithVisibleNestedTypes(nested))
                yield return visible;
    }

    private static bool IsVisibleNestedType(INamedTypeSymbol nested) => nested.DeclaredAccessibility switch
    {
        Accessibility.Public => true,
        Accessibility.Protected or Accessibility.ProtectedOrInternal => !nested.ContainingType.IsSealed,
        _ => false
    };

    public static IEnumerable<ISymbol> VisibleMembers(INamedTypeSymbol type)
    {
        if (type.TypeKind == TypeKind.Delegate)
        {
            if (type.DelegateInvokeMethod is { } invoke)
                yield return invoke;
            yield break;
        }

        foreach (var member in type.GetMembers())
        {
            if (!IsVisibleMember(member, type))
                continue;

            var listed = member switch
            {
                IMethodSymbol method => IsListedMethod(method),
                IPropertySymbol or IEventSymbol => true,
                IFieldSymbol field => !field.IsImplicitlyDeclared,
                _ => false
            };
            if (listed)
                yield return member;
        }
    }

    private static bool IsVisibleMember(ISymbol member, INamedTypeSymbol type) => member.DeclaredAccessibility switch
    {
        Accessibility.Public => true,
        Accessibility.Protected or Accessibility.ProtectedOrInternal => !type.IsSealed,
        _ => false
    };

    private static bool IsListedMethod(IMethodSymbol method)
    {
        if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.Constructor or MethodKind.UserDefinedOperator
            or MethodKind.Conversion or MethodKind.Destructor))
            return false;
        if (method.Name.StartsWith('<'))
            return false;

        return !(method.IsImplicitlyDeclared && method.Parameters.Length == 0 && method.ContainingType.IsValueType);
    }

    public static string MemberLine(ISymbol member)
    {
        var text = member.ToDisplayString(ApiFormats.MemberFormat);
        if (member is IPropertySymbol)
        {
            text = HiddenAccessor.Replace(text, "");
            text = ReadOnlyAccessor.Replace(text, "");
            text = ReadOnlyProperty.Replace(text, "$1");
        }

        return text;
    }

    public static string TypeLine(INamedTypeSymbol type)
    {
        var name = type.ToDisplayString(ApiFormats.DeclaredTypeFormat);
        var line = $"{AccessibilityOf(type)} {KindAndModifiers(type)} {name}";

        var bases = Bases(type);
        if (bases.Count > 0)
            line += " : " + string.Join(", ", bases);

        return line + type.ToDisplayString(ApiFormats.DeclaredTypeWithConstraintsFormat)[name.Length..];
    }

    private static string AccessibilityOf(INamedTypeSymbol type) => type.DeclaredAccessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        var other => throw new InvalidOperationException($"{type} is {other}, not visible outside its assembly")
    };

    private static string KindAndModifiers(INamedTypeSymbol type)
    {
        switch (type.TypeKind)
        {
            case TypeKind.Class:
                var modifier = type.IsStatic ? "static " : type.IsAbstract ? "abstract " : type.IsSealed ? "sealed " : "";
                return modifier + (type.IsRecord ? "record" : "class");
            case TypeKind.Struct:
                return (type.IsReadOnly ? "readonly " : "") + (type.IsRefLikeType ? "ref " : "") + "struct";
            case TypeKind.Interface:
                return "interface";
            case TypeKind.Enum:
                return "enum";
            case TypeKind.Delegate:
                return "delegate";
            default:
                throw new InvalidOperationException($"{type} is a {type.TypeKind}, which the listing has no line for");
        }
    }

    private static List<string> Bases(INamedTypeSymbol type)
    {
        var bases = new List<string>();
        if (type.TypeKind == TypeKind.Enum)
        {
            if (type.EnumUnderlyingType is { SpecialType: not SpecialType.System_Int32 } underlying)
                bases.Add(underlying.ToDisplayString(ApiFormats.TypeFormat));
        }
        else if (type.BaseType is { } baseType && baseType.SpecialType is not (SpecialType.System_Object
            or SpecialType.System_ValueType or SpecialType.System_Enum or SpecialType.System_MulticastDelegate))
        {
            bases.Add(baseType.ToDisplayString(ApiFormats.TypeFormat));
        }

        var inherited = (type.BaseType?.AllInterfaces ?? [])
            .Select(i => i.ToDisplayString(ApiFormats.TypeFormat))
            .ToHashSet(StringComparer.Ordinal);
        bases.AddRange(type.AllInterfaces
            .Select(i => i.ToDisplayString(ApiFormats.TypeFormat))
            .Where(display => !inherited.Contains(display))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(display => display, StringComparer.Ordinal));

        return bases;
    }
}
