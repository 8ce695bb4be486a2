using LinqToDB;
using Nop.Data;
using Nop.Plugin.Misc.CustomerSegments.Domain;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// Leases as rows: taking one is a conditional UPDATE (free or expired), which the database applies to the row
/// for one instance at a time, so exactly one of several racing instances sees one affected row
/// </summary>
public class SegmentLeaseService : ISegmentLeaseService
{
    protected readonly IRepository<SegmentLease> _leaseRepository;

    public SegmentLeaseService(IRepository<SegmentLease> leaseRepository)
    {
        _leaseRepository = leaseRepository;
    }

    /// <summary>
    /// A holder name unique to one run on one machine, within the column's 100 characters
    /// </summary>
    public static string NewHolder()
    {
        var holder = $"{Environment.MachineName}/{Guid.NewGuid():N}";
        return holder.Length > 100 ? holder[^100..] : holder;
    }

    public virtual async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);

        var nowUtc = DateTime.UtcNow;
        var expiresOnUtc = nowUtc.Add(duration);

        var taken = await _leaseRepository.Table
            .Where(lease => lease.Name == name && (lease.Holder == null || lease.ExpiresOnUtc < nowUtc))
            .Set(lease => lease.Holder, holder)
            .Set(lease => lease.ExpiresOnUtc, expiresOnUtc)
            .UpdateAsync();
        if (taken == 1)
            return true;

        if (await _leaseRepository.Table.AnyAsync(lease => lease.Name == name))
            return false;

        //the first run ever: the row does not exist yet; of instances inserting at once the unique index keeps one
        try
        {
            await _leaseRepository.InsertAsync(new SegmentLease { Name = name, Holder = holder, ExpiresOnUtc = expiresOnUtc }, false);
            return true;
        }
        catch (Exception)
        {
            if (await _leaseRepository.Table.AnyAsync(lease => lease.Name == name && lease.Holder != holder))
                return false;

            throw;
        }
    }

    public virtual async Task<bool> RenewAsync(string name, string holder, TimeSpan duration)
    {
        var expiresOnUtc = DateTime.UtcNow.Add(duration);

        return await _leaseRepository.Table
            .Where(lease => lease.Name == name && lease.Holder == holder)
            .Set(lease => lease.ExpiresOnUtc, expiresOnUtc)
            .UpdateAsync() == 1;
    }

    public virtual async Task ReleaseAsync(string name, string holder)
    {
        var nowUtc = DateTime.UtcNow;

        await _leaseRepository.Table
            .Where(lease => lease.Name == name && lease.Holder == holder)
            .Set(lease => lease.Holder, (string)null)
            .Set(lease => lease.ExpiresOnUtc, nowUtc)
            .UpdateAsync();
    }
}
