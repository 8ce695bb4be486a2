namespace Nop.Core;

public abstract class BaseEntity
{
    public int Id { get; set; }
}
