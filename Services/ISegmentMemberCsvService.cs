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
    /// <param name="cancellationToken">Stops the export (the admin left the page)</param>
    Task ExportMembersAsync(Segment segment, Stream output, CancellationToken cancellationToken = default);
}
