namespace Migrations.Build.Engine;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}
