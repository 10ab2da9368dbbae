namespace Migrations.Build.Tasks;

/// <summary>MigrateForce: records MigrationVersion as the current state and clears dirty flags, running no SQL.</summary>
public sealed class ForceMigrationVersion : DatabaseTask
{
    public string? Version { get; set => field = Trim(value); }

    protected override bool ExecuteCore()
    {
        if (!TryParseVersion("MigrationVersion", Version, out var version)) return false;
        if (version is null)
        {
            Invalid("MigrateForce needs -p:MigrationVersion=V: the version the database really is at (0 = none applied)");
            return false;
        }
        var set = LoadMigrations();
        if (set is null) return false;
        // Whether the version exists is checked against the folder and the history, by the runner.
        var runner = CreateRunner(out _);
        return runner is not null && runner.ForceAsync(() => set, version.Value, Cancellation).GetAwaiter().GetResult() && !Log.HasLoggedErrors;
    }
}
