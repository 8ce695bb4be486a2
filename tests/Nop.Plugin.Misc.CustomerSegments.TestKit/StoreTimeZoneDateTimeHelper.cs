using Nop.Services.Helpers;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// nopCommerce's date-time helper for a shop whose store time zone is given (UTC by default), for the user as well
/// </summary>
public class StoreTimeZoneDateTimeHelper : IDateTimeHelper
{
    public StoreTimeZoneDateTimeHelper(TimeZoneInfo storeTimeZone = null)
    {
        DefaultStoreTimeZone = storeTimeZone ?? TimeZoneInfo.Utc;
    }

    public TimeZoneInfo DefaultStoreTimeZone { get; }

    public Task<DateTime> ConvertToUserTimeAsync(DateTime dt, DateTimeKind sourceDateTimeKind) =>
        Task.FromResult(sourceDateTimeKind == DateTimeKind.Utc
            ? TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(dt, DateTimeKind.Utc), DefaultStoreTimeZone)
            : dt);
}
