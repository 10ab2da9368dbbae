using Migrations.Build.Engine.Database;

namespace Migrations.Build.Tasks;

/// <summary>MigrateUp: applies pending migrations, up to MigrationTarget if set.</summary>
public sealed class ApplyMigrations : DatabaseTask
{
    public string? Target { get; set => field = Trim(value); }

    public bool AllowOutOfOrder { get; set; }

    /// <summary>per-migration (default) or all.</summary>
    public string? TransactionMode { get; set => field = Trim(value); }

    protected override bool ExecuteCore()
    {
        if (!TryParseVersion("MigrationTarget", Target, out var target)) return false;
        if (ParseSingleTransaction(TransactionMode) is not { } singleTransaction) return false;
        var runner = CreateRunnerOrReportFolder(out var connection);
        if (runner is null) return false;
        var options = new UpOptions
        {
            Target = target,
            AllowOutOfOrder = AllowOutOfOrder,
            SingleTransaction = singleTransaction,
            RefuseDestructive = RefuseDestructive(connection!),
            // Applied to a real database, a migration has left this machine: from now on the build protects it too.
            RecordApplied = connection!.IsLocal || string.IsNullOrWhiteSpace(DeployRecord) ? null
                : applied => Engine.Integrity.ShippedMigrations.RecordDeployed(DeployRecord, applied),
        };
        return runner.UpAsync(LoadMigrations, options, Cancellation).GetAwaiter().GetResult() && !Log.HasLoggedErrors;
    }
}
