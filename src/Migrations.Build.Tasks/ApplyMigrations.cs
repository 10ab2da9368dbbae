namespace Migrations.Build.Tasks;

/// <summary>MigrateUp: applies pending migrations, up to MigrationTarget if set.</summary>
public sealed class ApplyMigrations : DatabaseTask
{
    public string? Target { get; set; }

    protected override bool ExecuteCore()
    {
        if (!TryParseVersion("MigrationTarget", Target, out var target)) return false;
        var set = LoadMigrations();
        var runner = set is null ? null : CreateRunner(out _);
        return runner is not null && runner.UpAsync(set!, target, Cancellation).GetAwaiter().GetResult() && !Log.HasLoggedErrors;
    }
}
