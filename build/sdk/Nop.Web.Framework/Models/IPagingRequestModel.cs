namespace Nop.Web.Framework.Models;

public interface IPagingRequestModel
{
    int Page { get; }

    int PageSize { get; }
}
