using Microsoft.Build.Framework;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Database;
using Migrations.Build.Engine.LocalDatabase;
using Migrations.Build.Engine.Verification;

namespace Migrations.Build.Tasks;

/// <summary>
/// MigrateVerify: checks on a throwaway database that every down restores the schema its up started from.
/// Never touches the configured database: a fresh database in the local cluster, or the one named by
/// MigrationVerifyConnectionString.
/// </summary>
public sealed class VerifyMigrations : DatabaseTask
{
    public string? VerifyConnectionString { get; set => field = Trim(value); }

    protected override bool ExecuteCore()
    {
        var set = LoadMigrations();
        if (set is null) return false;
        if (HistoryTableOrReport() is not { } history) return false;
        var log = new TaskMigrationLog(this);

        if (!string.IsNullOrWhiteSpace(VerifyConnectionString))
        {
            ConnectionSettings given;
            try { given = ConnectionSettings.Parse(VerifyConnectionString, "MigrationVerifyConnectionString"); }
            catch (ConnectionSettingsException e) { Invalid(e.Message); return false; }
            if (given.HasPassword) WarnPasswordInProperty("MigrationVerifyConnectionString");
            Log.LogMessage(MessageImportance.High, "Verifying on {0} (MigrationVerifyConnectionString).", given.Description);
            return new MigrationVerifier(given, history, log).VerifyAsync(set, Cancellation).GetAwaiter().GetResult() && !Log.HasLoggedErrors;
        }

        LocalPostgresCluster cluster;
        try
        {
            cluster = LocalPostgresCluster.EnsureStarted(LocalDatabaseDirectory!);
        }
        catch (LocalDatabaseException e)
        {
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.NoDatabase, DiagnosticSeverity.Error,
                $"MigrateVerify needs a throwaway database: the local PostgreSQL could not start ({e.Message}), and MigrationVerifyConnectionString is not set"));
            return false;
        }

        var name = "migrations_verify_" + Guid.NewGuid().ToString("N")[..12];
        var throwaway = ConnectionSettings.Parse(cluster.CreateDatabase(name), ConnectionSettings.LocalSource);
        Log.LogMessage(MessageImportance.High, "Verifying on a throwaway database {0} in local {1}.", name, cluster);
        try
        {
            return new MigrationVerifier(throwaway, history, log).VerifyAsync(set, Cancellation).GetAwaiter().GetResult() && !Log.HasLoggedErrors;
        }
        finally
        {
            cluster.DropDatabase(name);
        }
    }
}
