using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Segment members to and from CSV files
/// </summary>
public interface ISegmentMemberCsvService
{
    /// <summary>
    /// Writes the current members (customer id, email, name, entered on) as CSV; cells that a spreadsheet would
    /// run as a formula are neutralized
    /// </summary>
    Task ExportMembersAsync(Segment segment, Stream output);

    /// <summary>
    /// Adds the customers whose emails the CSV lists (first column, header optional) to a static segment
    /// </summary>
    Task<SegmentImportReport> ImportEmailsAsync(Segment segment, Stream input);
}

/// <summary>
/// What an import did
/// </summary>
public record SegmentImportReport(int Rows, int Added, int AlreadyMembers, IList<string> NotFound, IList<string> Invalid);
