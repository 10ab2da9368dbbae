using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.Database.Fleet;

namespace Migrations.Build.Tasks;

/// <summary>MigrateUpAll: applies pending migrations to every listed database, a few at a time.</summary>
public sealed class ApplyMigrationsToAll : FleetTask
{
    public string? Target { get; set; }

    public bool AllowOutOfOrder { get; set; }

    /// <summary>per-migration (default) or all.</summary>
    public string? TransactionMode { get; set; }

    protected override string Operation => "MigrateUpAll";

    private UpOptions? _options;

    protected override bool ExecuteCore()
    {
        if (!TryParseVersion("MigrationTarget", Target, out var target)) return false;
        if (ParseSingleTransaction(TransactionMode) is not { } singleTransaction) return false;
        var deployed = new HashSet<Engine.Migration>();
        _options = new UpOptions
        {
            Target = target,
            AllowOutOfOrder = AllowOutOfOrder,
            SingleTransaction = singleTransaction,
            // Every listed database is a real one: the destructive gate applies as for any configured database.
            RefuseDestructive = !AllowDestructive,
            // Applied to real databases, the migrations have left this machine: recorded once, at the end (the
            // databases finish on several threads).
            RecordApplied = applied => { lock (deployed) deployed.UnionWith(applied); },
        };
        var ok = base.ExecuteCore();
        if (deployed.Count > 0 && !string.IsNullOrWhiteSpace(DeployRecord))
        {
            Engine.Integrity.ShippedMigrations.RecordDeployed(DeployRecord, deployed.OrderBy(m => m.Version).ToList());
        }
        return ok;
    }

    protected override FleetReport Run(FleetRunner runner, IReadOnlyList<FleetTarget> targets) => runner.Up(_options!, Cancellation);
}
