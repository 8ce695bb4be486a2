using System.Security.Cryptography;
using LinqToDB.Data;
using Nop.Plugin.Misc.CustomerSegments.Tests.Infrastructure;
using Nop.Plugin.Misc.CustomerSegments.TestKit;

namespace Nop.Plugin.Misc.CustomerSegments.Tests.Data;

public class TestDatabaseTests : DatabaseTestBase
{
    public TestDatabaseTests(DatabaseEngine engine) : base(engine)
    {
    }

    protected override Task CreateSchemaAsync() => Task.CompletedTask;

    [Test]
    public async Task EachDatabaseIsNewAndGoneAfterDispose()
    {
        var other = await TestDatabase.CreateAsync(Engine, "other");
        Assert.That(other.Name, Is.Not.EqualTo(Database.Name));
        Assert.That(await ListAsync(), Does.Contain(other.Name));

        await other.DisposeAsync();

        Assert.That(await ListAsync(), Does.Not.Contain(other.Name));
    }

    [Test]
    public async Task StaleDatabasesOfKilledRunsAreDroppedAndRecentOnesKept()
    {
        var random = Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant();
        var stale = $"cs_stale_{DateTime.UtcNow.AddDays(-3):yyMMddHHmmss}_{random}";
        var recent = $"cs_stale_{DateTime.UtcNow.AddMinutes(-5):yyMMddHHmmss}_{random}";
        await CreateRawAsync(stale);
        await CreateRawAsync(recent);

        try
        {
            var dropped = await TestDatabase.DropStaleAsync(Engine, TimeSpan.FromDays(1));

            var names = await ListAsync();
            Assert.That(names, Does.Not.Contain(stale));
            Assert.That(names, Does.Contain(recent));
            Assert.That(names, Does.Contain(Database.Name));
            Assert.That(dropped.Select(d => d.Split('.')[0]), Does.Contain(stale));
        }
        finally
        {
            await DropRawAsync(stale);
            await DropRawAsync(recent);
        }
    }

    private async Task CreateRawAsync(string name)
    {
        switch (Engine)
        {
            case DatabaseEngine.Sqlite:
                await File.WriteAllBytesAsync(Path.Combine(DatabaseServerSettings.SqliteDirectory, name + ".db"), []);
                break;
            case DatabaseEngine.PostgreSql:
                using (var connection = Database.CreateDataConnection())
                    await connection.ExecuteAsync($"CREATE DATABASE \"{name}\"");
                break;
            default:
                using (var connection = Database.CreateDataConnection())
                    await connection.ExecuteAsync($"CREATE DATABASE `{name}`");
                break;
        }
    }

    private async Task DropRawAsync(string name)
    {
        switch (Engine)
        {
            case DatabaseEngine.Sqlite:
                File.Delete(Path.Combine(DatabaseServerSettings.SqliteDirectory, name + ".db"));
                break;
            case DatabaseEngine.PostgreSql:
                using (var connection = Database.CreateDataConnection())
                    await connection.ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\"");
                break;
            default:
                using (var connection = Database.CreateDataConnection())
                    await connection.ExecuteAsync($"DROP DATABASE IF EXISTS `{name}`");
                break;
        }
    }

    private async Task<IReadOnlyList<string>> ListAsync()
    {
        switch (Engine)
        {
            case DatabaseEngine.Sqlite:
                return Directory.EnumerateFiles(DatabaseServerSettings.SqliteDirectory, "cs_*.db")
                    .Select(f => Path.GetFileNameWithoutExtension(f)).ToList();
            case DatabaseEngine.PostgreSql:
                using (var connection = Database.CreateDataConnection())
                    return await connection.QueryToListAsync<string>("SELECT datname FROM pg_database");
            default:
                using (var connection = Database.CreateDataConnection())
                    return await connection.QueryToListAsync<string>("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA");
        }
    }
}
