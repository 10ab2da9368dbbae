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
    public static bool MayRewrite(TaskLoggingHelper log, MigrationSetOptions options)
    {
        var before = MigrationSetLoader.Load(options with { CheckIntegrity = true });
        var edited = before.Diagnostics.Where(d => d.Code == DiagnosticCodes.MigrationChangedSinceRecorded).ToList();
        if (edited.Count == 0) return true;
        log.LogWarning(null, DiagnosticCodes.NoIntegrityFile, DiagnosticCodes.NoIntegrityFile, MigrationSum.PathIn(before.Directory), 0, 0, 0, 0,
            "{0} was not updated: recorded migration(s) were edited since ({1}; the build reports them as MIG301). " +
            "Resolve those first, then run dotnet msbuild -t:MigrateHash",
            MigrationSum.FileName, string.Join(", ", edited.Select(d => Path.GetFileName(d.FilePath))));
        return false;
    }

    public static void Write(TaskLoggingHelper log, MigrationSetOptions options)
    {
        var set = MigrationSetLoader.Load(options);
        if (set.HasErrors)
        {
            log.LogWarning(null, DiagnosticCodes.NoIntegrityFile, DiagnosticCodes.NoIntegrityFile, MigrationSum.PathIn(set.Directory), 0, 0, 0, 0,
                "{0} was not updated: the folder has errors (the build lists them); fix them, then run dotnet msbuild -t:MigrateHash", MigrationSum.FileName);
            return;
        }
        if (MigrationSum.Write(set)) log.LogMessage(MessageImportance.High, "Updated {0}", MigrationSum.PathIn(set.Directory));
    }
}
