namespace Nop.Plugin.Misc.CustomerSegments.Services.Rules;

/// <summary>
/// The fields a rule can test
/// </summary>
public interface IRuleFieldCatalog
{
    IReadOnlyList<RuleFieldDescriptor> GetFields();

    /// <summary>
    /// The field of that name, or null
    /// </summary>
    RuleFieldDescriptor GetField(string name);
}
