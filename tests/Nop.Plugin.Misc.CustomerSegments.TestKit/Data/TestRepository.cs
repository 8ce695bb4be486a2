using System.Linq.Expressions;
using System.Transactions;
using Nop.Core;
using Nop.Core.Caching;
using Nop.Core.Domain.Common;
using Nop.Data;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Data;

/// <summary>
/// nopCommerce's EntityRepository on a test database: same reads and writes, soft deletion and events (handed
/// to a callback instead of the event publisher). Caching is not simulated: cache key arguments are ignored
/// and every read goes to the database.
/// </summary>
public class TestRepository<TEntity> : IRepository<TEntity> where TEntity : BaseEntity
{
    private static readonly bool _softDeleted = typeof(ISoftDeletedEntity).IsAssignableFrom(typeof(TEntity));

    protected readonly INopDataProvider _dataProvider;
    protected readonly Func<EntityEvent, Task> _publish;

    /// <param name="dataProvider">Data provider of the test database</param>
    /// <param name="publish">Receives the entity events nopCommerce would publish; none when null</param>
    public TestRepository(INopDataProvider dataProvider, Func<EntityEvent, Task> publish = null)
    {
        _dataProvider = dataProvider ?? throw new ArgumentNullException(nameof(dataProvider));
        _publish = publish;
    }

    public virtual IQueryable<TEntity> Table => _dataProvider.GetTable<TEntity>();

    #region Utilities

    protected virtual IQueryable<TEntity> AddDeletedFilter(IQueryable<TEntity> query, bool includeDeleted)
    {
        if (includeDeleted || !_softDeleted)
            return query;

        return query.OfType<ISoftDeletedEntity>().Where(entry => !entry.Deleted).OfType<TEntity>();
    }

    protected virtual async Task PublishAsync(EntityEventKind kind, TEntity entity)
    {
        if (_publish != null)
            await _publish(new EntityEvent(kind, entity));
    }

    protected virtual void Publish(EntityEventKind kind, TEntity entity) => PublishAsync(kind, entity).GetAwaiter().GetResult();

    protected virtual async Task PublishAsync(EntityEventKind kind, IEnumerable<TEntity> entities)
    {
        foreach (var entity in entities)
            await PublishAsync(kind, entity);
    }

    #endregion

    #region Reads

    public virtual async Task<TEntity> GetByIdAsync(int? id, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true, bool useShortTermCache = false)
    {
        if (!id.HasValue || id == 0)
            return null;

        var value = id.Value;
        return await AddDeletedFilter(Table, includeDeleted).FirstOrDefaultAsync(entity => entity.Id == value);
    }

    public virtual TEntity GetById(int? id, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true)
    {
        if (!id.HasValue || id == 0)
            return null;

        var value = id.Value;
        return AddDeletedFilter(Table, includeDeleted).FirstOrDefault(entity => entity.Id == value);
    }

    /// <summary>
    /// The entities with the given ids, in the order of the ids (missing ones skipped)
    /// </summary>
    public virtual async Task<IList<TEntity>> GetByIdsAsync(IList<int> ids, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true)
    {
        if (ids?.Any() != true)
            return new List<TEntity>();

        var distinct = ids.Distinct().ToList();
        var byId = (await AddDeletedFilter(Table, includeDeleted).Where(entry => distinct.Contains(entry.Id)).ToListAsync())
            .ToDictionary(entry => entry.Id);

        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public virtual async Task<IList<TEntity>> GetAllAsync(Func<IQueryable<TEntity>, IQueryable<TEntity>> func = null, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true)
    {
        var query = AddDeletedFilter(Table, includeDeleted);
        query = func != null ? func(query) : query;

        return await query.ToListAsync();
    }

    public virtual IList<TEntity> GetAll(Func<IQueryable<TEntity>, IQueryable<TEntity>> func = null, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true)
    {
        var query = AddDeletedFilter(Table, includeDeleted);
        query = func != null ? func(query) : query;

        return query.ToList();
    }

    public virtual async Task<IList<TEntity>> GetAllAsync(Func<IQueryable<TEntity>, Task<IQueryable<TEntity>>> func = null, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true)
    {
        var query = AddDeletedFilter(Table, includeDeleted);
        query = func != null ? await func(query) : query;

        return await query.ToListAsync();
    }

    public virtual async Task<IList<TEntity>> GetAllAsync(Func<IQueryable<TEntity>, Task<IQueryable<TEntity>>> func, Func<ICacheKeyService, Task<CacheKey>> getCacheKey, bool includeDeleted = true)
    {
        var query = AddDeletedFilter(Table, includeDeleted);
        query = func != null ? await func(query) : query;

        return await query.ToListAsync();
    }

    public virtual async Task<IPagedList<TEntity>> GetAllPagedAsync(Func<IQueryable<TEntity>, IQueryable<TEntity>> func = null, int pageIndex = 0, int pageSize = int.MaxValue, bool getOnlyTotalCount = false, bool includeDeleted = true)
    {
        var query = AddDeletedFilter(Table, includeDeleted);
        query = func != null ? func(query) : query;

        return await query.ToPagedListAsync(pageIndex, pageSize, getOnlyTotalCount);
    }

    public virtual async Task<IPagedList<TEntity>> GetAllPagedAsync(Func<IQueryable<TEntity>, Task<IQueryable<TEntity>>> func = null, int pageIndex = 0, int pageSize = int.MaxValue, bool getOnlyTotalCount = false, bool includeDeleted = true)
    {
        var query = AddDeletedFilter(Table, includeDeleted);
        query = func != null ? await func(query) : query;

        return await query.ToPagedListAsync(pageIndex, pageSize, getOnlyTotalCount);
    }

    public virtual async Task<TEntity> LoadOriginalCopyAsync(TEntity entity)
    {
        var id = entity.Id;
        return await _dataProvider.GetTable<TEntity>().FirstOrDefaultAsync(e => e.Id == id);
    }

    #endregion

    #region Writes

    public virtual async Task InsertAsync(TEntity entity, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entity);

        await _dataProvider.InsertEntityAsync(entity);

        if (publishEvent)
            await PublishAsync(EntityEventKind.Inserted, entity);
    }

    public virtual void Insert(TEntity entity, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entity);

        _dataProvider.InsertEntity(entity);

        if (publishEvent)
            Publish(EntityEventKind.Inserted, entity);
    }

    public virtual async Task InsertAsync(IList<TEntity> entities, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entities);

        //as nopCommerce: the events are published after Complete, before the scope commits
        using var transaction = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
        await _dataProvider.BulkInsertEntitiesAsync(entities);
        transaction.Complete();

        if (publishEvent)
            await PublishAsync(EntityEventKind.Inserted, entities);
    }

    public virtual void Insert(IList<TEntity> entities, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entities);

        using var transaction = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
        _dataProvider.BulkInsertEntities(entities);
        transaction.Complete();

        if (publishEvent)
            PublishAsync(EntityEventKind.Inserted, entities).GetAwaiter().GetResult();
    }

    public virtual async Task UpdateAsync(TEntity entity, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entity);

        await _dataProvider.UpdateEntityAsync(entity);

        if (publishEvent)
            await PublishAsync(EntityEventKind.Updated, entity);
    }

    public virtual void Update(TEntity entity, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entity);

        _dataProvider.UpdateEntity(entity);

        if (publishEvent)
            Publish(EntityEventKind.Updated, entity);
    }

    public virtual async Task UpdateAsync(IList<TEntity> entities, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entities);

        if (!entities.Any())
            return;

        await _dataProvider.UpdateEntitiesAsync(entities);

        if (publishEvent)
            await PublishAsync(EntityEventKind.Updated, entities);
    }

    public virtual void Update(IList<TEntity> entities, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entities);

        if (!entities.Any())
            return;

        _dataProvider.UpdateEntities(entities);

        if (publishEvent)
            PublishAsync(EntityEventKind.Updated, entities).GetAwaiter().GetResult();
    }

    public virtual async Task DeleteAsync(TEntity entity, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entity);

        if (entity is ISoftDeletedEntity softDeleted)
        {
            softDeleted.Deleted = true;
            await _dataProvider.UpdateEntityAsync(entity);
        }
        else
            await _dataProvider.DeleteEntityAsync(entity);

        if (publishEvent)
            await PublishAsync(EntityEventKind.Deleted, entity);
    }

    public virtual void Delete(TEntity entity, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entity);

        if (entity is ISoftDeletedEntity softDeleted)
        {
            softDeleted.Deleted = true;
            _dataProvider.UpdateEntity(entity);
        }
        else
            _dataProvider.DeleteEntity(entity);

        if (publishEvent)
            Publish(EntityEventKind.Deleted, entity);
    }

    public virtual async Task DeleteAsync(IList<TEntity> entities, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entities);

        if (!entities.Any())
            return;

        //as nopCommerce: the events are published after Complete, before the scope commits
        using var transaction = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
        if (_softDeleted)
        {
            foreach (var entity in entities)
                ((ISoftDeletedEntity)entity).Deleted = true;

            await _dataProvider.UpdateEntitiesAsync(entities);
        }
        else
            await _dataProvider.BulkDeleteEntitiesAsync(entities);

        transaction.Complete();

        if (publishEvent)
            await PublishAsync(EntityEventKind.Deleted, entities);
    }

    public virtual void Delete(IList<TEntity> entities, bool publishEvent = true)
    {
        ArgumentNullException.ThrowIfNull(entities);

        if (!entities.Any())
            return;

        using var transaction = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
        if (_softDeleted)
        {
            foreach (var entity in entities)
                ((ISoftDeletedEntity)entity).Deleted = true;

            _dataProvider.UpdateEntities(entities);
        }
        else
            _dataProvider.BulkDeleteEntities(entities);

        transaction.Complete();

        if (publishEvent)
            PublishAsync(EntityEventKind.Deleted, entities).GetAwaiter().GetResult();
    }

    public virtual async Task<int> DeleteAsync(Expression<Func<TEntity, bool>> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);

        using var transaction = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
        var count = await _dataProvider.BulkDeleteEntitiesAsync(predicate);
        transaction.Complete();

        return count;
    }

    public virtual int Delete(Expression<Func<TEntity, bool>> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);

        using var transaction = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
        var count = _dataProvider.BulkDeleteEntities(predicate);
        transaction.Complete();

        return count;
    }

    public virtual async Task TruncateAsync(bool resetIdentity = false) =>
        await _dataProvider.TruncateAsync<TEntity>(resetIdentity);

    #endregion
}
