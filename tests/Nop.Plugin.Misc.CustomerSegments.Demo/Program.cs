using System.Globalization;
using Nop.Plugin.Misc.CustomerSegments.Demo;
using Nop.Plugin.Misc.CustomerSegments.TestKit;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;
using Nop.Plugin.Misc.CustomerSegments.TestKit.Schema;

const string usage = """
    build/build.sh demo [--customers N] [--seed N] [--engine sqlite|postgresql|mariadb] [--keep DIR]

      --customers N   customers in the sample shop (default 3000)
      --seed N        seed of the sample shop (default 20261123): the same seed gives the same shop
      --engine E      database: an embedded SQLite file (default), or the PostgreSQL/MariaDB test servers
      --keep DIR      SQLite only: keep the database as DIR/customersegments_demo.db (replaced on each run)
    """;

var customers = DemoRunner.DefaultCustomers;
var seed = DemoRunner.DefaultSeed;
var engine = DatabaseEngine.Sqlite;
string keepDirectory = null;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--customers":
                customers = int.Parse(next(), CultureInfo.InvariantCulture);
                if (customers is < 1 or > 1_000_000)
                    throw new ArgumentException("--customers takes 1 to 1,000,000");
                break;
            case "--seed":
                seed = int.Parse(next(), CultureInfo.InvariantCulture);
                break;
            case "--engine":
                engine = next().ToLowerInvariant() switch
                {
                    "sqlite" => DatabaseEngine.Sqlite,
                    "postgresql" or "postgres" => DatabaseEngine.PostgreSql,
                    "mariadb" or "mysql" => DatabaseEngine.MySql,
                    var other => throw new ArgumentException($"unknown engine '{other}'")
                };
                break;
            case "--keep":
                keepDirectory = Path.GetFullPath(next());
                break;
            case "-h" or "--help":
                Console.WriteLine(usage);
                return 0;
            default:
                throw new ArgumentException($"unknown option '{args[i]}'");
        }
    }

    if (keepDirectory != null && engine != DatabaseEngine.Sqlite)
        throw new ArgumentException("--keep is for the SQLite database");
}
catch (Exception exception) when (exception is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"demo: {exception.Message}");
    Console.Error.WriteLine(usage);
    return 2;
}

var problem = await TestDatabase.CheckServerAsync(engine);
if (problem != null)
{
    Console.Error.WriteLine($"demo: {problem}: {DatabaseServerSettings.HowToStartServers}");
    return 1;
}

TestDatabase database;
if (keepDirectory != null)
{
    var (existing, existed) = await TestDatabase.OpenOrCreateNamedAsync(engine, "customersegments_demo", keepDirectory);
    if (existed)
    {
        await existing.DropAsync();
        (existing, _) = await TestDatabase.OpenOrCreateNamedAsync(engine, "customersegments_demo", keepDirectory);
    }

    database = existing;
}
else
    database = await TestDatabase.CreateAsync(engine, "demo");

await using (database)
{
    NopSchema.CreateCommonTables(database);
    new PluginMigrationRunner(database).Up();
    var shop = new TestShop(database);

    await new DemoRunner(shop, Console.Out).RunAsync(customers, seed);

    if (keepDirectory != null)
        Console.WriteLine($"The sample shop is kept in {database.FilePath}");
}

return 0;
