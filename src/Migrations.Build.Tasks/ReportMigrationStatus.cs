using Microsoft.Build.Framework;
using Migrations.Build.Engine;
using Migrations.Build.Engine.Database;

namespace Migrations.Build.Tasks;

/// <summary>MigrateStatus: applied and pending migrations with flags, as text or JSON; optionally a deploy gate.</summary>
public sealed class ReportMigrationStatus : DatabaseTask
{
    /// <summary>text (default) or json.</summary>
    public string? Format { get; set => field = Trim(value); }

    /// <summary>Where to write the JSON; the build output when empty.</summary>
    public string? OutputFile { get; set => field = Trim(value); }

    public bool FailOnPending { get; set; }

    [Output]
    public int PendingCount { get; private set; }

    /// <summary>
    /// The status as JSON, whatever the format: the targets put it in $(MigrationStatusJson), which
    /// <c>-getProperty:MigrationStatusJson</c> prints alone on stdout for scripts (warnings go to stderr).
    /// </summary>
    [Output]
    public string? StatusJson { get; private set; }

    protected override bool ExecuteCore()
    {
        var format = string.IsNullOrWhiteSpace(Format) ? "text" : Format.Trim().ToLowerInvariant();
        if (format is not ("text" or "json"))
        {
            Invalid($"MigrationStatusFormat '{Format}' must be 'text' or 'json'");
            return false;
        }
        var runner = CreateRunnerOrReportFolder(out _);
        var status = runner?.StatusAsync(LoadMigrations, Cancellation).GetAwaiter().GetResult();
        if (status is null) return false;

        PendingCount = status.Pending.Count;
        StatusJson = status.ToJson();
        if (string.IsNullOrWhiteSpace(OutputFile))
        {
            if (format == "json") Log.LogMessage(MessageImportance.High, "{0}", StatusJson);
            else foreach (var line in status.ToLines()) Log.LogMessage(MessageImportance.High, "{0}", line);
        }
        else
        {
            var path = Path.GetFullPath(OutputFile);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, format == "json" ? StatusJson : string.Join(Environment.NewLine, status.ToLines()) + Environment.NewLine);
            Log.LogMessage(MessageImportance.High, "Wrote migration status to {0}", path);
        }

        // As a deploy gate (MigrationFailOnPending), a state MigrateUp would refuse fails the gate too.
        var severity = FailOnPending ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
        foreach (var entry in status.Applied.Where(e => e.Dirty || e.Changed))
        {
            var label = AppliedMigration.LabelOf(entry.Version, entry.Name);
            LogDiagnostic(new MigrationDiagnostic(
                entry.Dirty ? DiagnosticCodes.DirtyMigration : DiagnosticCodes.AppliedMigrationChanged, severity,
                entry.Dirty
                    ? $"version {label} is dirty: it failed part-way; see MigrateForce"
                    : $"migration {label} was changed after it was applied: MigrateUp will refuse to run",
                entry.File, entry.File is null ? 0 : 1, entry.File is null ? 0 : 1));
        }

        if (FailOnPending && status.Pending.Count > 0)
        {
            LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.PendingMigrations, DiagnosticSeverity.Error,
                $"{status.Pending.Count} migration(s) are not applied to {status.Database}: " +
                string.Join(", ", status.Pending.Select(p => $"{p.Version} {p.Name}")) + " (MigrationFailOnPending=true)"));
        }
        return !Log.HasLoggedErrors;
    }
}
