using System;
using System.Collections.Generic;
using System.Linq;
using System.Linq.Expressions;
using System.Threading.Tasks;
using Nop.Core;
using Nop.Core.Caching;

namespace Nop.Data;

public interface IRepository<TEntity> where TEntity : BaseEntity
{
    Task<TEntity> GetByIdAsync(int? id, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true, bool useShortTermCache = false);

    TEntity GetById(int? id, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true);

    Task<IList<TEntity>> GetByIdsAsync(IList<int> ids, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true);

    Task<IList<TEntity>> GetAllAsync(Func<IQueryable<TEntity>, IQueryable<TEntity>> func = null, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true);

    IList<TEntity> GetAll(Func<IQueryable<TEntity>, IQueryable<TEntity>> func = null, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true);

    Task<IList<TEntity>> GetAllAsync(Func<IQueryable<TEntity>, Task<IQueryable<TEntity>>> func = null, Func<ICacheKeyService, CacheKey> getCacheKey = null, bool includeDeleted = true);

    Task<IList<TEntity>> GetAllAsync(Func<IQueryable<TEntity>, Task<IQueryable<TEntity>>> func, Func<ICacheKeyService, Task<CacheKey>> getCacheKey, bool includeDeleted = true);

    Task<IPagedList<TEntity>> GetAllPagedAsync(Func<IQueryable<TEntity>, IQueryable<TEntity>> func = null, int pageIndex = 0, int pageSize = int.MaxValue, bool getOnlyTotalCount = false, bool includeDeleted = true);

    Task<IPagedList<TEntity>> GetAllPagedAsync(Func<IQueryable<TEntity>, Task<IQueryable<TEntity>>> func = null, int pageIndex = 0, int pageSize = int.MaxValue, bool getOnlyTotalCount = false, bool includeDeleted = true);

    Task InsertAsync(TEntity entity, bool publishEvent = true);

    void Insert(TEntity entity, bool publishEvent = true);

    Task InsertAsync(IList<TEntity> entities, bool publishEvent = true);

    void Insert(IList<TEntity> entities, bool publishEvent = true);

    Task<TEntity> LoadOriginalCopyAsync(TEntity entity);

    Task UpdateAsync(TEntity entity, bool publishEvent = true);

    void Update(TEntity entity, bool publishEvent = true);

    Task UpdateAsync(IList<TEntity> entities, bool publishEvent = true);

    void Update(IList<TEntity> entities, bool publishEvent = true);

    Task DeleteAsync(TEntity entity, bool publishEvent = true);

    void Delete(TEntity entity, bool publishEvent = true);

    Task DeleteAsync(IList<TEntity> entities, bool publishEvent = true);

    void Delete(IList<TEntity> entities, bool publishEvent = true);

    Task<int> DeleteAsync(Expression<Func<TEntity, bool>> predicate);

    int Delete(Expression<Func<TEntity, bool>> predicate);

    Task TruncateAsync(bool resetIdentity = false);

    IQueryable<TEntity> Table { get; }
}
