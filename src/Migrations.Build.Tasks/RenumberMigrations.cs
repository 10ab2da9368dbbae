using Microsoft.Build.Framework;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Integrity;

namespace Migrations.Build.Tasks;

/// <summary>
/// MigrateRenumber: where two branches each added a migration with the same version, moves the newer one(s)
/// to the next free versions and updates migrations.sum. Refuses a move that a reachable database has applied.
/// </summary>
public sealed class RenumberMigrations : DatabaseTask
{
    public bool UpdateIntegrityFile { get; set; } = true;

    protected override bool ExecuteCore()
    {
        if (!TryParseLayout(Layout, out var layout)) return false;
        var moves = MigrationRenumberer.Plan(MigrationsDirectory, layout);
        if (moves.Count == 0)
        {
            Log.LogMessage(MessageImportance.High, "No two migrations share a version in {0}: nothing to renumber.", MigrationsDirectory);
            return true;
        }

        var options = new MigrationSetOptions(MigrationsDirectory) { Layout = layout, RequireDown = RequireDown };
        var updateSum = UpdateIntegrityFile && IntegrityFileUpdate.MayRewrite(this, options);
        var runner = CreateRunnerForExistingDatabase(out var connection);
        if (runner is not null)
        {
            var set = MigrationSetLoader.Load(new MigrationSetOptions(MigrationsDirectory) { Layout = layout, RequireDown = false });
            var history = runner.HistoryAsync(() => set, Cancellation).GetAwaiter().GetResult();
            if (history is null) return false;
            var applied = moves.Where(m => history.Any(h => h.Version == m.Migration.Version && h.Checksum == m.Migration.Up?.Checksum)).ToList();
            foreach (var move in applied)
            {
                LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.RenumberRefused, DiagnosticSeverity.Error,
                    $"'{move.Migration.PrimaryScript.FileName}' is applied to {connection!.Description} as version {move.Migration.Version}: " +
                    "renumbering it would make that database run it again. Renumber the other migration of that version by hand instead. Nothing was renamed",
                    move.Migration.PrimaryScript.Path, 1, 1));
            }
            if (applied.Count > 0) return false;
        }
        else
        {
            Log.LogMessage(MessageImportance.High, "No database configured or created yet: renumbering without checking what is applied.");
        }

        MigrationRenumberer.Apply(moves);
        foreach (var move in moves)
        {
            foreach (var (from, to) in move.Files) Log.LogMessage(MessageImportance.High, "Renamed {0} -> {1} ({2})", Path.GetFileName(from), Path.GetFileName(to), move.Age.Describe());
        }
        if (updateSum) IntegrityFileUpdate.Write(this, options);
        return true;
    }
}
