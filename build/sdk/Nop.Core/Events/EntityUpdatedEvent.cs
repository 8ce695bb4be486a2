namespace Nop.Core.Events;

public class EntityUpdatedEvent<T> where T : Nop.Core.BaseEntity
{
    public EntityUpdatedEvent(T entity)
    {
        Entity = entity;
    }

    public T Entity { get; }
}
