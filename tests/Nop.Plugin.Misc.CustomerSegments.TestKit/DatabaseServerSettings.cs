namespace Nop.Plugin.Misc.CustomerSegments.TestKit;

/// <summary>
/// Where the test database servers are. Read from environment variables, with the defaults
/// build/db/start-servers.sh uses:
/// <list type="bullet">
/// <item>CS_TEST_PG_HOST (127.0.0.1), CS_TEST_PG_PORT (55432), CS_TEST_PG_USER (customersegments), CS_TEST_PG_PASSWORD (customersegments)</item>
/// <item>CS_TEST_MYSQL_HOST (127.0.0.1), CS_TEST_MYSQL_PORT (53306), CS_TEST_MYSQL_USER (customersegments), CS_TEST_MYSQL_PASSWORD (customersegments)</item>
/// <item>CS_TEST_SQLITE_DIR (a folder under the system temp folder) for the SQLite database files</item>
/// </list>
/// The login must be allowed to create and drop databases: each test fixture gets its own.
/// </summary>
public record DatabaseServerSettings(string Host, int Port, string User, string Password)
{
    public const string HowToStartServers = "install and start them with build/db/install-servers.sh && build/db/start-servers.sh";

    public static DatabaseServerSettings For(DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.PostgreSql => FromEnvironment("CS_TEST_PG", 55432),
        DatabaseEngine.MySql => FromEnvironment("CS_TEST_MYSQL", 53306),
        _ => null
    };

    public static string SqliteDirectory =>
        Environment.GetEnvironmentVariable("CS_TEST_SQLITE_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Path.GetTempPath(), "customersegments-tests");

    private static DatabaseServerSettings FromEnvironment(string prefix, int defaultPort)
    {
        static string Get(string name, string fallback) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

        return new DatabaseServerSettings(
            Get($"{prefix}_HOST", "127.0.0.1"),
            int.Parse(Get($"{prefix}_PORT", defaultPort.ToString())),
            Get($"{prefix}_USER", "customersegments"),
            Get($"{prefix}_PASSWORD", "customersegments"));
    }

    public override string ToString() => $"{User}@{Host}:{Port}";
}
