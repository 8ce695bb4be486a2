using FluentMigrator;
using FluentMigrator.Runner;
using Microsoft.Extensions.DependencyInjection;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;

/// <summary>
/// Runs FluentMigrator migrations on a test database with FluentMigrator's own processor for the engine
/// (SQLite, PostgreSQL 9.2 (identity as SERIAL), MySQL 5 for MySQL/MariaDB: the ones nopCommerce registers), without version bookkeeping
/// </summary>
public static class FluentMigratorHost
{
    public static void Up(TestDatabase database, IMigration migration) => Run(database, runner => runner.Up(migration));

    public static void Down(TestDatabase database, IMigration migration) => Run(database, runner => runner.Down(migration));

    public static void Run(TestDatabase database, Action<IMigrationRunner> action)
    {
        ArgumentNullException.ThrowIfNull(database);

        using var services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(builder =>
            {
                switch (database.Engine)
                {
                    case DatabaseEngine.Sqlite:
                        builder.AddSQLite();
                        break;
                    case DatabaseEngine.PostgreSql:
                        builder.AddPostgres92();
                        break;
                    case DatabaseEngine.MySql:
                        builder.AddMySql5();
                        break;
                }

                builder.WithGlobalConnectionString(database.ConnectionString)
                    .WithGlobalCommandTimeout(TimeSpan.FromMinutes(10));
            })
            .AddScoped<FluentMigrator.Runner.Generators.MySql.IMySqlTypeMap>(_ => new NopMySqlTypeMap())
            .BuildServiceProvider(false);

        using var scope = services.CreateScope();
        action(scope.ServiceProvider.GetRequiredService<IMigrationRunner>());
    }
}
