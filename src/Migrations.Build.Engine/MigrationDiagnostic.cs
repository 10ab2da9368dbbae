namespace Migrations.Build.Engine;

/// <summary>
/// One finding about a migration file or folder. Line and column are 1-based; 0 means "not applicable"
/// (MSBuild then prints just the path).
/// </summary>
public sealed record MigrationDiagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string Message,
    string? FilePath = null,
    int Line = 0,
    int Column = 0)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>Canonical MSBuild form, used by tests and by anything that prints diagnostics without MSBuild.</summary>
    public override string ToString()
    {
        var severity = IsError ? "error" : "warning";
        var location = FilePath is null ? "" : Line > 0 ? $"{FilePath}({Line},{Column}): " : $"{FilePath}: ";
        return $"{location}{severity} {Code}: {Message}";
    }
}
