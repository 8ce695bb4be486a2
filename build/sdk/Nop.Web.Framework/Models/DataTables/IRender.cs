namespace Nop.Web.Framework.Models.DataTables;

public interface IRender
{
}
