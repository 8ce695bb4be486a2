using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Members of static segments, added and removed by hand or imported from a list of emails
/// </summary>
public interface IStaticSegmentService
{
    /// <summary>
    /// Opens a stay for each existing customer of the list who is not a member now
    /// </summary>
    /// <returns>How many customers entered</returns>
    Task<int> AddCustomersAsync(Segment segment, IList<int> customerIds);

    /// <summary>
    /// Closes the current stay of each customer of the list
    /// </summary>
    /// <returns>How many customers left</returns>
    Task<int> RemoveCustomersAsync(Segment segment, IList<int> customerIds);

    /// <summary>
    /// Adds the customers whose emails the CSV lists; unknown emails and unreadable rows are reported, not fatal
    /// </summary>
    Task<EmailImportResult> ImportEmailsAsync(Segment segment, Stream csv);
}

/// <summary>
/// What an email import did
/// </summary>
/// <param name="Added">Customers who entered the segment</param>
/// <param name="AlreadyMembers">Customers found who were members already</param>
/// <param name="UnknownEmails">Emails of no customer</param>
/// <param name="BadRows">Rows that could not be read</param>
/// <param name="Truncated">Whether rows beyond the limit were left out</param>
public record EmailImportResult(int Added, int AlreadyMembers, IReadOnlyList<string> UnknownEmails, IReadOnlyList<CsvRowError> BadRows, bool Truncated);
