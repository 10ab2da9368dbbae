namespace Migrations.Build.Tasks;

/// <summary>MigrateBaseline: for a database built by hand or by scripts, records versions up to MigrationVersion as applied.</summary>
public sealed class BaselineMigrations : DatabaseTask
{
    public string? Version { get; set => field = Trim(value); }

    protected override bool ExecuteCore()
    {
        if (!TryParseVersion("MigrationVersion", Version, out var version)) return false;
        if (version is null or 0)
        {
            Invalid("MigrateBaseline needs -p:MigrationVersion=V: the last migration the existing schema already contains");
            return false;
        }
        var set = LoadMigrations();
        if (set is null) return false;
        if (set.Migrations.All(m => m.Version != version))
        {
            Invalid($"MigrationVersion {version} is not the version of any migration in {set.Directory}");
            return false;
        }
        var runner = CreateRunner(out _);
        return runner is not null && runner.BaselineAsync(() => set, version.Value, Cancellation).GetAwaiter().GetResult() && !Log.HasLoggedErrors;
    }
}
