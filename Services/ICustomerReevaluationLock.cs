namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Lets one re-evaluation of a customer run at a time in this process, so that of two events of his at once the later
/// decides from what the earlier wrote
/// </summary>
public interface ICustomerReevaluationLock
{
    /// <summary>
    /// Waits until no other re-evaluation of the customer runs in this process
    /// </summary>
    /// <returns>The turn, held until it is disposed</returns>
    Task<IDisposable> EnterAsync(int customerId);
}
