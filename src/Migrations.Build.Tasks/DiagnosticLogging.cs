using Microsoft.Build.Utilities;
using Migrations.Build.Engine;

namespace Migrations.Build.Tasks;

/// <summary>Maps engine diagnostics to canonical MSBuild errors and warnings (code, file, line, column).</summary>
internal static class DiagnosticLogging
{
    public static void LogDiagnostic(this TaskLoggingHelper log, MigrationDiagnostic diagnostic)
    {
        if (diagnostic.IsError)
        {
            log.LogError(null, diagnostic.Code, diagnostic.Code, diagnostic.FilePath, diagnostic.Line, diagnostic.Column, 0, 0, "{0}", diagnostic.Message);
        }
        else
        {
            log.LogWarning(null, diagnostic.Code, diagnostic.Code, diagnostic.FilePath, diagnostic.Line, diagnostic.Column, 0, 0, "{0}", diagnostic.Message);
        }
    }

    public static void LogDiagnostics(this TaskLoggingHelper log, IEnumerable<MigrationDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics) log.LogDiagnostic(diagnostic);
    }

    /// <summary>Parses the MigrationLayout property, logging MIG012 when it is neither paired nor forward-only.</summary>
    public static bool TryParseLayout(this TaskLoggingHelper log, string? value, out MigrationLayout? layout)
    {
        if (MigrationLayoutNames.TryParse(value, out layout)) return true;
        log.LogDiagnostic(new MigrationDiagnostic(DiagnosticCodes.InvalidSetting, DiagnosticSeverity.Error,
            $"MigrationLayout '{value}' is not valid: use '{MigrationLayoutNames.Paired}' or '{MigrationLayoutNames.ForwardOnly}', or leave it empty to detect the layout"));
        return false;
    }
}
