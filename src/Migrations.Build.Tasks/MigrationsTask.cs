using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>
/// What every task that reports diagnostics shares: the project they concern, and logging through
/// <see cref="DiagnosticLogging"/> (help link, and the project file for a diagnostic about no particular file).
/// </summary>
public abstract class MigrationsTask : Microsoft.Build.Utilities.Task
{
    /// <summary>
    /// $(MSBuildProjectFullPath). A task cannot learn it from MSBuild (BuildEngine.ProjectFileOfTaskNode is the file
    /// holding the task call, i.e. the package's .targets), so the targets pass it.
    /// </summary>
    public string? ProjectFile { get; set; }

    internal void LogDiagnostic(MigrationDiagnostic diagnostic) => DiagnosticLogging.LogDiagnostic(Log, diagnostic, ProjectFile);

    internal void LogDiagnostics(IEnumerable<MigrationDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics) LogDiagnostic(diagnostic);
    }

    /// <summary>Parses the MigrationLayout property, logging MIG012 when it is neither paired nor forward-only.</summary>
    internal bool TryParseLayout(string? value, out MigrationLayout? layout)
    {
        if (MigrationLayoutNames.TryParse(value, out layout)) return true;
        LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.InvalidSetting, DiagnosticSeverity.Error,
            $"MigrationLayout '{value}' is not valid: use '{MigrationLayoutNames.Paired}' or '{MigrationLayoutNames.ForwardOnly}', or leave it empty to detect the layout"));
        return false;
    }
}
