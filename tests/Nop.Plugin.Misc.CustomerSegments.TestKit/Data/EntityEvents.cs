using Nop.Core;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Data;

/// <summary>
/// What happened to an entity: nopCommerce's repository publishes EntityInsertedEvent, EntityUpdatedEvent
/// and EntityDeletedEvent after each write (when asked to publish)
/// </summary>
public enum EntityEventKind
{
    Inserted,
    Updated,
    Deleted
}

/// <summary>
/// An entity event the repository would have published
/// </summary>
public record EntityEvent(EntityEventKind Kind, BaseEntity Entity);

/// <summary>
/// Receives the entity events of repositories; hand them on to event consumers in tests
/// </summary>
public delegate Task EntityEventHandler(EntityEvent entityEvent);
