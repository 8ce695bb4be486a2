using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Copies segments, so that an admin can try a variation of one without touching it
/// </summary>
public interface ISegmentCopyService
{
    /// <summary>
    /// Copies a segment under a new name: its store, type, rule, description and shopper messages in every language,
    /// and for a static segment its current members. The copy is inactive: no discount, offer or rule sees it until
    /// the admin activates it (a dynamic copy is then built from its rule).
    /// </summary>
    /// <param name="segment">The segment to copy</param>
    /// <param name="name">The name of the copy</param>
    /// <returns>The copy</returns>
    /// <exception cref="SegmentRuleValidationException">The rule of the dynamic segment no longer validates; nothing is copied</exception>
    Task<Segment> CopySegmentAsync(Segment segment, string name);
}
