namespace Nop.Sdk.Conformance.Tests;

/// <summary>
/// One record of the API listing: <c>T</c> (type) or <c>M</c> (member), the assembly and the symbol's display text.
/// </summary>
public sealed record ApiLine(char Kind, string Assembly, string Text)
{
    public bool IsType => Kind == 'T';

    public override string ToString() => $"{Kind}\t{Assembly}\t{Text}";

    public static ApiLine Parse(string line)
    {
        var parts = line.Split('\t', 3);
        if (parts.Length != 3 || parts[0].Length != 1 || (parts[0][0] != 'T' && parts[0][0] != 'M'))
            throw new FormatException($"Not an API listing line: '{line}'");

        return new ApiLine(parts[0][0], parts[1], parts[2]);
    }
}
