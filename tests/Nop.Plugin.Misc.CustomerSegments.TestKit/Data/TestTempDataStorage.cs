using LinqToDB;
using LinqToDB.Data;
using Nop.Data;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Data;

/// <summary>
/// A query's rows kept in a table until disposed, as nopCommerce's TempSqlDataStorage; owns its connection
/// </summary>
public class TestTempDataStorage<T> : TempTable<T>, ITempDataStorage<T> where T : class
{
    private readonly DataConnection _dataConnection;

    public TestTempDataStorage(string storageName, IQueryable<T> query, DataConnection dataConnection)
        : base(dataConnection, storageName, query, tableOptions: TableOptions.NotSet | TableOptions.DropIfExists)
    {
        _dataConnection = dataConnection;
    }

    void IDisposable.Dispose()
    {
        Dispose();
        _dataConnection.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        await _dataConnection.DisposeAsync();
    }
}
