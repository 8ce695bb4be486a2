using System.Collections.Generic;

namespace Nop.Web.Framework.Models;

public abstract record BasePagedListModel<T> : BaseNopModel, IPagedModel<T> where T : BaseNopModel
{
    protected BasePagedListModel()
    {
    }

    public IEnumerable<T> Data { get; set; }

    public string Draw { get; set; }

    public int RecordsFiltered { get; set; }

    public int RecordsTotal { get; set; }
}
