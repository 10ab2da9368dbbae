using Microsoft.Build.Utilities;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>
/// Maps engine diagnostics to canonical MSBuild errors and warnings (code, file, line, column), each with a help
/// link to its entry in docs/diagnostics.md.
/// </summary>
internal static class DiagnosticLogging
{
    /// <param name="projectFile">
    /// Where a diagnostic about no particular file points: the project being built, as the SDK's own diagnostics do.
    /// Without a file MSBuild would use the task's location, a line of Migrations.Build.targets in the NuGet cache.
    /// </param>
    public static void LogDiagnostic(this TaskLoggingHelper log, MigrationDiagnostic diagnostic, string? projectFile)
    {
        var file = diagnostic.FilePath ?? (string.IsNullOrEmpty(projectFile) ? null : projectFile);
        var line = diagnostic.FilePath is null ? 0 : diagnostic.Line;
        var column = diagnostic.FilePath is null ? 0 : diagnostic.Column;
        var helpLink = DiagnosticHelp.LinkFor(diagnostic.Code);
        if (diagnostic.IsError)
        {
            log.LogError(null, diagnostic.Code, diagnostic.Code, helpLink, file, line, column, 0, 0, "{0}", diagnostic.Message);
        }
        else
        {
            log.LogWarning(null, diagnostic.Code, diagnostic.Code, helpLink, file, line, column, 0, 0, "{0}", diagnostic.Message);
        }
    }
}
