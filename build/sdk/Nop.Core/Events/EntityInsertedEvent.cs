namespace Nop.Core.Events;

public class EntityInsertedEvent<T> where T : Nop.Core.BaseEntity
{
    public EntityInsertedEvent(T entity)
    {
        Entity = entity;
    }

    public T Entity { get; }
}
