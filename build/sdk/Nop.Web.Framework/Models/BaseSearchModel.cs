using System;

namespace Nop.Web.Framework.Models;

public abstract record BaseSearchModel : BaseNopModel, IPagingRequestModel
{
    protected BaseSearchModel()
    {
    }

    public int Page => throw new NotImplementedException();

    public int PageSize => throw new NotImplementedException();

    public string AvailablePageSizes { get; set; }

    public string Draw { get; set; }

    public int Start { get; set; }

    public int Length { get; set; }

    public virtual void SetGridPageSize() => throw new NotImplementedException();

    public virtual void SetPopupGridPageSize() => throw new NotImplementedException();

    public virtual void SetGridPageSize(int pageSize, string availablePageSizes = null) => throw new NotImplementedException();
}
