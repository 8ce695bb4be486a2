namespace Nop.Web.Framework.Models;

public record BaseNopEntityModel : BaseNopModel
{
    public virtual int Id { get; set; }
}
