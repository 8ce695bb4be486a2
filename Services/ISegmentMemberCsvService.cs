using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Segment members to CSV files (imports of email lists are <see cref="IStaticSegmentService.ImportEmailsAsync"/>)
/// </summary>
public interface ISegmentMemberCsvService
{
    /// <summary>
    /// Writes the current members (customer id, email, name, entered on) as CSV; cells that a spreadsheet would
    /// run as a formula are neutralized
    /// </summary>
    Task ExportMembersAsync(Segment segment, Stream output);
}
