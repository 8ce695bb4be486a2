using System.Globalization;
using System.Reflection;
using FluentMigrator;
using Nop.Data.Migrations;

namespace Nop.Plugin.Misc.CustomerSegments.TestKit.Migrations;

/// <summary>
/// A migration class of an assembly and what its [NopMigration] attribute says
/// </summary>
public record PluginMigration(Type Type, long Version, string Description, MigrationProcessType TargetMigrationProcess);

/// <summary>
/// Applies an assembly's FluentMigrator migrations (non-abstract <see cref="MigrationBase"/> classes marked
/// [NopMigration]) to a test database, in the order of their version as nopCommerce does: up oldest first,
/// down newest first. The attribute is read from its constructor arguments, never instantiated.
/// </summary>
public class PluginMigrationRunner
{
    private static readonly string[] _dateFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy.MM.dd HH:mm:ss", "yyyy/MM/dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss:fffffff", "yyyy.MM.dd HH:mm:ss:fffffff", "yyyy/MM/dd HH:mm:ss:fffffff"
    ];

    private readonly TestDatabase _database;
    private readonly Assembly _assembly;

    /// <param name="database">Target database</param>
    /// <param name="assembly">The assembly with the migrations; the plugin's by default</param>
    public PluginMigrationRunner(TestDatabase database, Assembly assembly = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _assembly = assembly ?? typeof(CustomerSegmentsPlugin).Assembly;
    }

    /// <summary>
    /// The assembly's migrations, oldest first
    /// </summary>
    public static IReadOnlyList<PluginMigration> FindMigrations(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => typeof(MigrationBase).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(Describe)
            .Where(m => m != null)
            .OrderBy(m => m.Version)
            .ToList();

    public IReadOnlyList<PluginMigration> Migrations => FindMigrations(_assembly);

    /// <summary>
    /// Applies the migrations up, oldest first
    /// </summary>
    /// <param name="processType">Only migrations for this process (and those for any); all when null</param>
    public IReadOnlyList<PluginMigration> Up(MigrationProcessType? processType = null)
    {
        var migrations = Select(processType).ToList();
        foreach (var migration in migrations)
            FluentMigratorHost.Up(_database, Instantiate(migration));

        return migrations;
    }

    /// <summary>
    /// Reverts the migrations, newest first
    /// </summary>
    public IReadOnlyList<PluginMigration> Down(MigrationProcessType? processType = null)
    {
        var migrations = Select(processType).Reverse().ToList();
        foreach (var migration in migrations)
            FluentMigratorHost.Down(_database, Instantiate(migration));

        return migrations;
    }

    private IEnumerable<PluginMigration> Select(MigrationProcessType? processType) =>
        Migrations.Where(m => processType is null
            || processType == MigrationProcessType.NoMatter
            || m.TargetMigrationProcess == MigrationProcessType.NoMatter
            || m.TargetMigrationProcess == processType);

    private static IMigration Instantiate(PluginMigration migration) =>
        (IMigration)Activator.CreateInstance(migration.Type)
        ?? throw new InvalidOperationException($"Cannot create migration {migration.Type}");

    private static PluginMigration Describe(Type type)
    {
        var attribute = type.GetCustomAttributesData()
            .FirstOrDefault(a => typeof(NopMigrationAttribute).IsAssignableFrom(a.AttributeType));
        if (attribute == null)
            return null;

        var arguments = attribute.ConstructorArguments;
        var dateTime = arguments.Count > 0 ? arguments[0].Value as string : null;
        if (string.IsNullOrEmpty(dateTime))
            throw new InvalidOperationException($"{type}: [NopMigration] has no date");

        var version = DateTime.ParseExact(dateTime, _dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None).Ticks;
        var description = arguments.Skip(1).Select(a => a.Value).OfType<string>().FirstOrDefault() ?? type.Name;
        var process = arguments
            .Where(a => a.ArgumentType == typeof(MigrationProcessType))
            .Select(a => (MigrationProcessType)(int)a.Value!)
            .DefaultIfEmpty(MigrationProcessType.NoMatter)
            .First();

        return new PluginMigration(type, version, description, process);
    }
}
