namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Named leases in the database, so that nopCommerce instances sharing one database take turns
/// </summary>
public interface ISegmentLeaseService
{
    /// <summary>
    /// Takes the lease when it is free or expired
    /// </summary>
    /// <returns>Whether this holder has it now</returns>
    Task<bool> TryAcquireAsync(string name, string holder, TimeSpan duration);

    /// <summary>
    /// Extends the lease if this holder still has it
    /// </summary>
    /// <returns>Whether this holder still has it</returns>
    Task<bool> RenewAsync(string name, string holder, TimeSpan duration);

    /// <summary>
    /// Frees the lease if this holder has it
    /// </summary>
    Task ReleaseAsync(string name, string holder);
}
