using System.Collections.Concurrent;
using System.Data.Common;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.DataProvider;
using LinqToDB.DataProvider.MySql;
using LinqToDB.DataProvider.PostgreSQL;
using LinqToDB.DataProvider.SQLite;
using LinqToDB.Internal.DataProvider.PostgreSQL;
using LinqToDB.Mapping;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Mapping;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// The linq2db providers and mapping schemas per engine, configured as nopCommerce configures them
/// </summary>
public static class LinqToDbProviders
{
    private static readonly ConcurrentDictionary<DatabaseEngine, IDataProvider> _providers = new();
    private static readonly ConcurrentDictionary<DatabaseEngine, MappingSchema> _schemas = new();

    public static IDataProvider Get(DatabaseEngine engine) => _providers.GetOrAdd(engine, e => e switch
    {
        DatabaseEngine.Sqlite => SQLiteTools.GetDataProvider(SQLiteProvider.Microsoft),
        DatabaseEngine.PostgreSql => new NopPostgreSqlDataProvider(),
        DatabaseEngine.MySql => MySqlTools.GetDataProvider(MySqlVersion.MariaDB10, MySqlProvider.MySqlConnector),
        _ => throw new ArgumentOutOfRangeException(nameof(engine))
    });

    /// <summary>
    /// nopCommerce's table mapping on top of the provider's own schema; one per engine, so linq2db's query cache is shared
    /// </summary>
    public static MappingSchema GetMappingSchema(DatabaseEngine engine) => _schemas.GetOrAdd(engine, e =>
    {
        var provider = Get(e);
        var schema = new MappingSchema($"{provider.Name}.nop", provider.MappingSchema);
        schema.AddMetadataReader(new NopMetadataReader(NopEntityMap.Default));

        //as nopCommerce's MySQL provider: Guids are stored as CHAR(36)
        if (e == DatabaseEngine.MySql)
        {
            schema.SetDataType(typeof(Guid), new LinqToDB.SqlQuery.SqlDataType(DataType.NChar, typeof(Guid), 36));
            schema.SetConvertExpression<string, Guid>(text => new Guid(text));
        }

        return schema;
    });

    /// <summary>
    /// nopCommerce's PostgreSQL provider: string parameters are sent as citext, so that comparisons with text
    /// columns are case-insensitive as they are on SQL Server and MySQL
    /// </summary>
    private sealed class NopPostgreSqlDataProvider : PostgreSQLDataProvider
    {
        public NopPostgreSqlDataProvider() : base(ProviderName.PostgreSQL95, PostgreSQLVersion.v95)
        {
        }

        public override void SetParameter(DataConnection dataConnection, DbParameter parameter, string name, DbDataType dataType, object value)
        {
            if (value is string && dataType.SystemType == typeof(string))
                dataType = dataType.WithDbType("citext");

            base.SetParameter(dataConnection, parameter, name, dataType, value);
        }
    }
}
