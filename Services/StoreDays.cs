using Nop.Services.Helpers;

namespace Nop.Plugin.Misc.CustomerSegments.Services;

/// <summary>
/// The days of a store's time zone, which nopCommerce's admin shows dates in, as moments in UTC
/// </summary>
public static class StoreDays
{
    /// <summary>
    /// The store's time zone as nopCommerce's date-time helper gives it; UTC when none is set
    /// </summary>
    public static TimeZoneInfo ZoneOf(IDateTimeHelper dateTimeHelper) => dateTimeHelper.DefaultStoreTimeZone ?? TimeZoneInfo.Utc;

    /// <summary>
    /// The moment (UTC) a day of the zone starts; where the clocks jump over midnight, the day's first moment that exists
    /// </summary>
    public static DateTime StartUtc(DateTime day, TimeZoneInfo zone)
    {
        var midnight = DateTime.SpecifyKind(day.Date, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(midnight))
            midnight = midnight.AddMinutes(15);

        return TimeZoneInfo.ConvertTimeToUtc(midnight, zone);
    }

    /// <summary>
    /// The zone's date at a moment given in UTC
    /// </summary>
    public static DateTime DateOf(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).Date;
}
