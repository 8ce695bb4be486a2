using System;
using System.Threading.Tasks;

namespace Nop.Services.Helpers;

public interface IDateTimeHelper
{
    Task<DateTime> ConvertToUserTimeAsync(DateTime dt, DateTimeKind sourceDateTimeKind);

    TimeZoneInfo DefaultStoreTimeZone { get; }
}
