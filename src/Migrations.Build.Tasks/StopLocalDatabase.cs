using Microsoft.Build.Framework;
using Migrations.Build.Engine;
using Migrations.Build.Engine.LocalDatabase;

namespace Migrations.Build.Tasks;

/// <summary>MigrateLocalDatabaseStop: stops the local development database (its data stays).</summary>
public sealed class StopLocalDatabase : MigrationsTask
{
    [Required]
    public string LocalDatabaseDirectory { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            var stopped = LocalPostgresCluster.Stop(LocalDatabaseDirectory);
            Log.LogMessage(MessageImportance.High, stopped
                ? "Stopped the local development database in {0} (its data is kept)."
                : "The local development database in {0} was not running.", LocalDatabaseDirectory);
            return true;
        }
        catch (LocalDatabaseException e)
        {
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.NoDatabase, DiagnosticSeverity.Error, e.Message));
            return false;
        }
    }
}
