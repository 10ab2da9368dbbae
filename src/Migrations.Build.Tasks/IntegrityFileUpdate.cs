using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Tasks;

/// <summary>
/// Records MigrateCreate's and MigrateRenumber's changes in migrations.sum, but never rewrites a sum that
/// shows an edited recorded migration (MIG301): that would hide exactly what the file is there to catch.
/// </summary>
internal static class IntegrityFileUpdate
{
    /// <summary>Checks before the change: false (with a warning) when the sum must not be rewritten afterwards.</summary>
    public static bool MayRewrite(MigrationsTask task, MigrationSetOptions options)
    {
        // As at build time: the sum follows migrations that have not left this machine (loading writes it so).
        var before = MigrationSetLoader.Load(options with { CheckIntegrity = true, Shipped = () => ShippedMigrations.Of(options.Directory, null) });
        var edited = before.Diagnostics.Where(d => d.Code == DiagnosticCodes.MigrationChangedSinceRecorded).ToList();
        if (edited.Count == 0) return true;
        task.LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.NoIntegrityFile, DiagnosticSeverity.Warning,
            $"{MigrationSum.FileName} was not updated: recorded migration(s) were edited since ({string.Join(", ", edited.Select(d => Path.GetFileName(d.FilePath)))}; the build reports them as MIG301). " +
            "Resolve those first, then run dotnet msbuild -t:MigrateHash",
            MigrationSum.PathIn(before.Directory)));
        return false;
    }

    public static void Write(MigrationsTask task, MigrationSetOptions options)
    {
        var set = MigrationSetLoader.Load(options);
        if (set.HasErrors)
        {
            task.LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.NoIntegrityFile, DiagnosticSeverity.Warning,
                $"{MigrationSum.FileName} was not updated: the folder has errors (the build lists them); fix them, then run dotnet msbuild -t:MigrateHash",
                MigrationSum.PathIn(set.Directory)));
            return;
        }
        if (MigrationSum.Write(set)) task.Log.LogMessage(MessageImportance.High, "Updated {0}", MigrationSum.PathIn(set.Directory));
    }
}
