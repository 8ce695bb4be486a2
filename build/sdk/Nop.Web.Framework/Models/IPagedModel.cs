namespace Nop.Web.Framework.Models;

public interface IPagedModel<T> where T : BaseNopModel
{
}
